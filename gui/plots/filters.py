"""Learned filters: a convolution's kernels as a montage (columns: filters, rows: input
channels), a dense layer fed by an image as one weight picture per unit (the lecture's
first-layer weight images), any other dense layer as its weight matrix. Weights are drawn on a
diverging scale centred on zero (white 0, red positive, blue negative) with a colour bar, scaled
over the whole layer or per filter; grey gaps separate the pictures."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout

from gui.plots.base import PlotPanel, caption
from gui.plots.colorbar import ColorBar
from gui.plots.colors import GAP, diverging_rgb, qimage, symmetric_peak
from gui.plots.image_canvas import ImageCanvas, Label, Panel, Tile
from gui.plots.tiling import grid_shape

MAX_FILTERS, MAX_INPUTS = 64, 16
LABEL_WIDTH, LABEL_HEIGHT = 44.0, 16.0


def weight_pictures(weights: np.ndarray, image_shape: tuple[int, ...] | None) -> tuple[np.ndarray, str]:
    """(filters, inputs, h, w) pictures of a layer's weights and what they are."""
    if weights.ndim == 4:
        return weights, "conv"
    if weights.ndim == 2 and image_shape is not None and len(image_shape) >= 2:
        channels = image_shape[0] if len(image_shape) == 3 else 1
        height, width = image_shape[-2:]
        if weights.shape[1] == channels * height * width:
            return weights.reshape(weights.shape[0], channels, height, width), "image"
    matrix = weights.reshape(weights.shape[0], -1) if weights.ndim > 1 else weights[None]
    return matrix[None, None], "matrix"


class FiltersPanel(PlotPanel):
    """`set_data(label, weights)` with conv kernels [out, in, kh, kw] or dense weights [units, features]
    (`image_shape` says the shape of the image feeding a dense layer)."""

    title = "Learned filters"
    empty_hint = "The first layer's filters appear here after the first probe of a run."

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.per_filter_box = QCheckBox("scale each filter on its own")
        self.per_filter_box.setToolTip("Off: one colour scale for the whole layer (compare filters' strength). "
                                       "On: each filter spans the full scale (see the pattern of weak ones).")
        self.per_filter_box.toggled.connect(lambda _: self._redraw())
        self.add_header_widget(self.per_filter_box)
        self.caption = caption(self.empty_hint)
        self.canvas = ImageCanvas(fit="page", max_zoom=6.0)
        self.colorbar = ColorBar()
        row = QHBoxLayout()
        row.addWidget(self.canvas, 1)
        row.addWidget(self.colorbar)
        self.body.addWidget(self.caption)
        self.body.addLayout(row, 1)
        self.use_reset_view(self.canvas)
        self.image_shape: tuple[int, ...] | None = None
        self.array: np.ndarray | None = None
        self.label = self.note = ""
        self._pending: tuple[str, np.ndarray, str] | None = None

    def set_data(self, label: str, array: np.ndarray, note: str = "") -> None:
        """`label` names the layer; `note` is said after the description (when, what else to select)."""
        self._pending = (label, np.asarray(array, np.float32), note)

    def show_message(self, text: str) -> None:
        self._pending, self.array = None, None
        self.caption.setText(text)
        self.canvas.show_message("")
        self.colorbar.hide()

    def refresh(self) -> bool:
        if self._pending is None:
            return False
        (self.label, self.array, self.note), self._pending = self._pending, None
        self._redraw()
        return True

    def _redraw(self) -> None:
        if self.array is None:
            return
        stack, kind = weight_pictures(self.array, self.image_shape)
        per_filter = self.per_filter_box.isChecked() and kind != "matrix"
        shown = stack[:MAX_FILTERS, :MAX_INPUTS]
        peaks = np.array([symmetric_peak(f) for f in stack[:MAX_FILTERS]]) if per_filter else \
            np.full(len(shown), symmetric_peak(stack))
        tiles, labels, page = self._layout(shown, peaks, kind)
        self.canvas.set_page(tiles, labels, page, [Panel(QRectF(*area), GAP) for area in self._gaps])
        self.colorbar.show()
        if per_filter:
            self.colorbar.set_labels("+max", "0", "−max", "each filter")
        else:
            self.colorbar.set_scale(-peaks[0], peaks[0], "weight")
        self.caption.setText(self._describe(stack, kind, per_filter) + (f" {self.note}" if self.note else ""))

    def _layout(self, stack: np.ndarray, peaks: np.ndarray, kind: str):
        count, inputs, height, width = stack.shape
        self._gaps = []
        if kind == "matrix":  # one picture: units (rows) by inputs (columns)
            scale = max(1.0, 240 / max(height, width)) if max(height, width) < 240 else 600 / max(height, width)
            rect = QRectF(0, 0, width * scale, height * scale)
            return [Tile(qimage(diverging_rgb(stack[0, 0], peaks[0])), rect)], [], (rect.width(), rect.height())
        scale = max(1.0, 40 / max(height, width))
        size = (width * scale, height * scale)
        gap = 2.0
        tiles, labels = [], []
        if inputs == 1 or kind == "image":  # one picture per filter or unit, in a grid
            rows, columns = grid_shape(count, aspect=1.6)
            name = "unit" if kind == "image" else "filter"
            cell = (size[0], size[1] + LABEL_HEIGHT)
            for index in range(count):
                r, c = divmod(index, columns)
                x, y = c * (cell[0] + 3 * gap), r * (cell[1] + 3 * gap)
                picture = diverging_rgb(stack[index, 0], peaks[index])
                tiles.append(Tile(qimage(picture), QRectF(x, y, *size)))
                under = QRectF(x - gap, y + size[1], size[0] + 2 * gap, LABEL_HEIGHT)
                labels.append(Label(f"{name} {index + 1}", under,
                                    align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop))
            page = (columns * (cell[0] + 3 * gap) - 3 * gap, rows * (cell[1] + 3 * gap) - 3 * gap)
            return tiles, labels, page
        # a montage on a grey ground: one column per filter, one row per input channel (wide panels)
        left, top = LABEL_WIDTH, LABEL_HEIGHT
        for r in range(count):
            labels.append(Label(f"{r + 1}", QRectF(left + gap + r * (size[0] + gap), 0, size[0], top),
                                align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom))
        for c in range(inputs):
            y = top + gap + c * (size[1] + gap)
            labels.append(Label(f"in {c + 1}", QRectF(0, y, left - 6, size[1]),
                                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter))
            for r in range(count):
                picture = diverging_rgb(stack[r, c], peaks[r])
                tiles.append(Tile(qimage(picture), QRectF(left + gap + r * (size[0] + gap), y, *size)))
        width_all = count * (size[0] + gap) + gap
        height_all = inputs * (size[1] + gap) + gap
        self._gaps = [(left, top, width_all, height_all)]
        return tiles, labels, (left + width_all, top + height_all)

    def _describe(self, stack: np.ndarray, kind: str, per_filter: bool) -> str:
        count, inputs, height, width = stack.shape
        scale = "each filter on its own scale" if per_filter else "one scale for the layer"
        shown = []
        if count > MAX_FILTERS:
            shown.append(f"first {MAX_FILTERS} of {count} filters")
        if kind == "conv" and inputs > MAX_INPUTS:
            shown.append(f"first {MAX_INPUTS} of {inputs} input channels")
        more = f" ({', '.join(shown)})" if shown else ""
        if kind == "matrix":
            return (f"{self.label}: weight matrix, {height} units (rows) × {width} inputs (columns); "
                    f"white 0, red positive, blue negative.")
        channel = " (first channel)" if kind == "image" and inputs > 1 else ""
        what = (f"{count} units' input weights drawn as {height}×{width} images{channel}" if kind == "image" else
                f"{count} filters (columns) × {inputs} input channel{'s' if inputs > 1 else ''} (rows), "
                f"{height}×{width} kernels")
        return f"{self.label}: {what}{more}; white 0, red positive, blue negative, {scale}."

    def csv_table(self):
        if self.array is None:
            return ("value",), ()
        flat = self.array.reshape(self.array.shape[0], -1) if self.array.ndim > 1 else self.array[None]
        header = ("filter",) + tuple(f"w{i}" for i in range(flat.shape[1]))
        return header, ((i, *row) for i, row in enumerate(flat.tolist()))

