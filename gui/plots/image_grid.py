"""Pictures in a grid (data previews, the samples of a confusion-matrix cell): a caption above a
page that scrolls with the wheel and zooms with Ctrl+wheel."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.plots.base import PlotPanel
from gui.plots.image_canvas import ImageCanvas
from gui.plots.tiling import image_grid, pictures


class ImageView(QWidget):
    """A caption and a page of pictures: a part of a panel (no save buttons of its own)."""

    def __init__(self, hint: str = "", fit: str = "page", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel(hint)
        self.caption.setWordWrap(True)
        self.canvas = ImageCanvas(fit=fit)
        self.array: np.ndarray | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.canvas, 1)

    def show_pictures(self, caption: str, array: np.ndarray, names: list[str] | None = None,
                      columns: int | None = None, keys: list | None = None, frames: dict | None = None) -> None:
        self.caption.setText(caption)
        self.array = np.asarray(array)
        self.canvas.set_page(*image_grid(pictures(array), names, columns, keys=keys, frames=frames))

    def show_message(self, text: str) -> None:
        self.caption.setText(text)
        self.array = None
        self.canvas.show_message("")


class ImageGridPanel(PlotPanel):
    """Shows a stack of pictures; `set_data(label, array)` replaces them at the next refresh."""

    title = "Images"
    empty_hint = ""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.view = ImageView(self.empty_hint)
        self.caption, self.canvas = self.view.caption, self.view.canvas
        self.body.addWidget(self.view, 1)
        self.use_reset_view(self.canvas)
        self.array: np.ndarray | None = None
        self._pending: tuple[str, np.ndarray] | None = None

    def set_data(self, label: str, array: np.ndarray) -> None:
        """Buffer new data; it is drawn at the next refresh."""
        self._pending = (label, np.asarray(array))

    def show_message(self, text: str) -> None:
        self._pending = None
        self.array = None
        self.view.show_message(text)

    def refresh(self) -> bool:
        if self._pending is None:
            return False
        label, self.array = self._pending
        self._pending = None
        self.view.show_pictures(label, self.array)
        return True

    def csv_table(self):
        if self.array is None:
            return ("value",), ()
        flat = self.array.reshape(self.array.shape[0], -1) if self.array.ndim > 1 else self.array[None]
        header = ("index",) + tuple(f"v{i}" for i in range(flat.shape[1]))
        return header, ((i, *row) for i, row in enumerate(flat.tolist()))
