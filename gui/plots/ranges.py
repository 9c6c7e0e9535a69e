"""Setting a pyqtgraph plot's view range so that it costs one paint, not two."""

from __future__ import annotations

import pyqtgraph as pg


def set_view_range(plot: pg.PlotItem, x: tuple[float, float] | None = None,
                   y: tuple[float, float] | None = None, padding: float = 0.0) -> None:
    """Show `x` and/or `y` (widened by `padding`, a share of the span). pyqtgraph defers the new transform to the next
    paint, where curves clipped to the view or downsampled then recompute and ask for a second
    paint; applying the transform now lets them follow before the one paint."""
    plot.vb.setRange(xRange=x, yRange=y, padding=padding)
    plot.vb.updateMatrix()
