"""A tiled image grid (feature maps, learned filters, weight pictures) with pan and zoom."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel

from gui.plots.base import PlotPanel
from gui.plots.tiling import as_image_stack, tile


class ImageGridPanel(PlotPanel):
    """Shows one layer's data as a grid of small images; `set_data(label, array)` replaces it."""

    title = "Images"
    empty_hint = "Select a layer on the canvas."
    colormap = ""  # grey unless a subclass names a pyqtgraph colour map

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.caption = QLabel(self.empty_hint)
        self.caption.setWordWrap(True)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setMinimumHeight(60)
        self.box = self.view.addViewBox(lockAspect=True, invertY=True)
        self.image = pg.ImageItem(axisOrder="row-major")
        if self.colormap:
            self.image.setColorMap(pg.colormap.get(self.colormap))
        self.box.addItem(self.image)
        self.body.addWidget(self.caption)
        self.body.addWidget(self.view, 1)
        self.array: np.ndarray | None = None
        self.grid: np.ndarray | None = None
        self._pending: tuple[str, np.ndarray] | None = None

    def set_data(self, label: str, array: np.ndarray) -> None:
        """Buffer new data; it is drawn at the next refresh."""
        self._pending = (label, np.asarray(array))

    def show_message(self, text: str) -> None:
        self._pending = None
        self.array = self.grid = None
        self.caption.setText(text)
        self.image.clear()

    def refresh(self) -> None:
        if self._pending is None:
            return
        label, array = self._pending
        self._pending = None
        self.array = array
        self.grid = tile(self.images_for(array))
        first = self.grid is not None and self.image.image is None
        self.image.setImage(self.grid, levels=(0.0, 1.0))
        self.caption.setText(label)
        if first:
            self.box.autoRange(padding=0.02)

    def images_for(self, array: np.ndarray) -> np.ndarray:
        return as_image_stack(array)

    def csv_table(self):
        if self.array is None:
            return ("value",), ()
        flat = self.array.reshape(self.array.shape[0], -1) if self.array.ndim > 1 else self.array[None]
        header = ("index",) + tuple(f"v{i}" for i in range(flat.shape[1]))
        return header, ((i, *row) for i, row in enumerate(flat.tolist()))


class ActivationsPanel(ImageGridPanel):
    """A layer's output for one probe sample: feature maps as a grid, dense units as a strip."""

    title = "Activations"
    empty_hint = "Select a layer on the canvas to see its output for the probe samples."


class FiltersPanel(ImageGridPanel):
    """Learned filters of a convolution, or each unit's input weights reshaped to the image."""

    title = "Learned filters"
    empty_hint = "Select a convolution or a dense layer fed by an image."
    colormap = "CET-D1"  # diverging: blue negative, white zero, red positive weights

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.image_shape: tuple[int, ...] | None = None

    def images_for(self, array: np.ndarray) -> np.ndarray:
        if array.ndim == 2 and self.image_shape is not None and len(self.image_shape) >= 2:  # dense on an image
            height, width = self.image_shape[-2:]
            if array.shape[1] == height * width * (self.image_shape[0] if len(self.image_shape) == 3 else 1):
                pictures = array.reshape(array.shape[0], -1, height, width)[:, 0]
                return as_image_stack(pictures, symmetric=True)
        if array.ndim == 4 and array.shape[1] == 3:
            self.image.setLookupTable(None)  # RGB filters of a colour input are shown in colour
        return as_image_stack(array, symmetric=True)
