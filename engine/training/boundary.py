"""The grid a decision boundary is drawn on, for a model with 2-D input: bounds around the data,
widened to the plot's aspect, and evenly spaced points over them. Plain numpy."""

from __future__ import annotations

import numpy as np

Bounds = tuple[float, float, float, float]  # x0, x1, y0, y1


def data_bounds(points: np.ndarray) -> Bounds:
    """(x0, x1, y0, y1) around the points with a 10 % margin."""
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.1 * (high - low + 1e-6)
    return float(low[0] - margin[0]), float(high[0] + margin[0]), float(low[1] - margin[1]), float(high[1] + margin[1])


def fit_aspect(bounds: Bounds, aspect: float) -> Bounds:
    """Widen `bounds` in x or y (about its centre) so that width / height == `aspect`."""
    x0, x1, y0, y1 = bounds
    width, height = x1 - x0, y1 - y0
    if width / height < aspect:
        grow = (aspect * height - width) / 2
        return x0 - grow, x1 + grow, y0, y1
    grow = (width / aspect - height) / 2
    return x0, x1, y0 - grow, y1 + grow


def grid_shape(bounds: Bounds, short_side: int = 90, long_cap: int = 270) -> tuple[int, int]:
    """(rows, columns) of an evenly spaced grid over `bounds` (square cells)."""
    x0, x1, y0, y1 = bounds
    aspect = (x1 - x0) / (y1 - y0)
    if aspect >= 1:
        return short_side, min(long_cap, round(short_side * aspect))
    return min(long_cap, round(short_side / aspect)), short_side


def grid_points(bounds: Bounds, resolution: int | tuple[int, int]) -> np.ndarray:
    """(rows*columns, 2) points covering x0..x1, y0..y1, row-major from the bottom."""
    rows, columns = (resolution, resolution) if isinstance(resolution, int) else resolution
    x0, x1, y0, y1 = bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, columns), np.linspace(y0, y1, rows))
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
