"""The small interfaces the window's parts are given instead of the whole window, so each part can
be built (and tested) with just what it uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

StatusFn = Callable[[str, int], None]
"""Show a message in the status bar: (message, milliseconds)."""


class FitsView(Protocol):
    """A view that can frame the whole network (gui.canvas.view.CanvasView)."""

    def fit(self, readable: bool = True) -> None: ...
