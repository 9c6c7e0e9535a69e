"""Activations for the probe samples: the probe inputs on top (click one to follow it), then one
row per layer with what that sample makes of it (feature maps, or units as a strip), so the
whole network is visible without selecting anything; a layer chosen on the canvas or in the
strip is shown in detail beside it. One colour scale: white 0, red positive, blue negative,
each layer scaled to its largest |value| for the sample."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QSpinBox, QSplitter, QVBoxLayout, QWidget

from gui.plots.base import PlotPanel, caption
from gui.plots.colorbar import ColorBar
from gui.plots.colors import GAP, diverging_rgb, qimage, symmetric_peak
from gui.plots.image_canvas import ImageCanvas, Label, Panel, Tile
from gui.plots.tiling import cell_size, grid_rects, grid_shape, pictures

ROW_HEIGHT = 36.0  # page units of one layer's row in the strip
NAME_WIDTH = 150.0
MAX_MAPS = 16  # per layer in the strip
UNITS_PER_LINE = 64
CELL = 10.0  # page units of one unit in a strip
DETAIL_MAPS = 64
CHOSEN = QColor(255, 140, 0)

TOP_CENTRE = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop


@dataclass
class LayerOutput:
    node_id: str  # the probe key: a node id, or an inner layer's path (stage2.0.conv1)
    name: str
    kind: str  # layer type id
    values: np.ndarray  # [probe samples, *shape]
    note: str = ""  # e.g. "12% dead"


def unit_strip(values: np.ndarray, peak: float, per_line: int = UNITS_PER_LINE) -> np.ndarray:
    """A vector of units as rows of `per_line` coloured cells; padding cells are the gap grey."""
    lines = max(1, math.ceil(values.size / per_line))
    per_line = max(1, math.ceil(values.size / lines))  # lines of even length
    padded = np.full(lines * per_line, np.nan, np.float32)
    padded[:values.size] = values.ravel()
    rgb = diverging_rgb(padded.reshape(lines, per_line), peak)
    rgb[np.isnan(padded.reshape(lines, per_line))] = (GAP.red(), GAP.green(), GAP.blue())
    return rgb


def shape_text(values: np.ndarray) -> str:
    return "×".join(map(str, values.shape[1:]))


class ActivationsPanel(PlotPanel):
    """`set_probe(layers, inputs, labels)` with every layer's output; `select_layer(node_id)`."""

    title = "Activations"
    empty_hint = "Each layer's output for the probe samples appears here after the first probe of a run."
    layer_clicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.sample_box = QSpinBox()
        self.sample_box.setPrefix("probe sample ")
        self.sample_box.setRange(1, 1)
        self.sample_box.valueChanged.connect(lambda value: self.choose_sample(value - 1))
        self.add_header_widget(self.sample_box)
        self.caption = caption(self.empty_hint)
        self.overview = ImageCanvas(fit="width", max_zoom=2.5, smooth=False)
        self.overview.tile_clicked.connect(self._clicked)
        self.detail = ImageCanvas(fit="page", max_zoom=6.0, smooth=False)
        self.detail_caption = caption("Click a layer in the strip (or select it on the canvas) to see all its maps.")
        self.colorbar = ColorBar()
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail_caption)
        row = QHBoxLayout()
        row.addWidget(self.detail, 1)
        row.addWidget(self.colorbar)
        detail_layout.addLayout(row, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.overview)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([3000, 2000])  # 3 : 2 of whatever width the panel gets
        self.splitter.setChildrenCollapsible(False)
        self.body.addWidget(self.caption)
        self.body.addWidget(self.splitter, 1)
        self.use_reset_view(self.overview, self.detail)
        self.layers: list[LayerOutput] = []
        self.inputs: np.ndarray | None = None
        self.labels: list[str] = []
        self.step: int | None = None
        self.when = ""
        self.selected: str | None = None
        self.sample = 0
        self.array: np.ndarray | None = None  # the detailed layer's output for the chosen sample
        self._dirty = False
        self.colorbar.hide()

    # -- data -------------------------------------------------------------------------------
    def set_probe(self, layers: list[LayerOutput], inputs: np.ndarray, labels: list[str], step: int,
                  when: str = "") -> None:
        """Every layer's output on the probe samples (in network order); drawn at the next refresh."""
        self.layers, self.inputs, self.labels, self.step, self.when = layers, inputs, labels, step, when
        self.sample = min(self.sample, len(inputs) - 1)
        self.sample_box.blockSignals(True)
        self.sample_box.setRange(1, max(1, len(inputs)))
        self.sample_box.setValue(self.sample + 1)
        self.sample_box.blockSignals(False)
        self._update_array()
        self._dirty = True

    def clear(self) -> None:
        self.layers, self.inputs, self.labels, self.array = [], None, [], None
        self._dirty = False
        self.caption.setText(self.empty_hint)
        self.overview.show_message("")
        self.detail.show_message("")
        self.colorbar.hide()

    def select_layer(self, node_id: str | None) -> None:
        if node_id != self.selected:
            self.selected = node_id
            self._update_array()
            self._dirty = True

    def choose_sample(self, index: int) -> None:
        if self.inputs is not None and 0 <= index < len(self.inputs) and index != self.sample:
            self.sample = index
            self.sample_box.setValue(index + 1)
            self._update_array()
            self._dirty = True
            self.refresh()

    def _detailed(self) -> LayerOutput | None:
        return next((layer for layer in self.layers if layer.node_id == self.selected), None)

    def _update_array(self) -> None:
        layer = self._detailed()
        self.array = None if layer is None else layer.values[min(self.sample, len(layer.values) - 1)]

    def _clicked(self, key) -> None:
        kind, value = key
        if kind == "sample":
            self.choose_sample(value)
        else:
            self.select_layer(value)
            self.layer_clicked.emit(value)
            self.refresh()

    # -- drawing ----------------------------------------------------------------------------
    def refresh(self) -> bool:
        if not self._dirty or self.inputs is None:
            return False
        self._dirty = False
        label = f" (label {self.labels[self.sample]})" if self.sample < len(self.labels) else ""
        self.caption.setText(f"What probe sample {self.sample + 1}{label} makes of each layer{self.when}. "
                             "White 0, red positive, blue negative; each layer on its own scale. "
                             "Click a sample to follow it, a layer to see it in detail.")
        self.overview.set_page(*self._overview_page())
        self._draw_detail()
        return True

    def _overview_page(self):
        tiles, labels, panels = [], [], []
        if self.inputs.ndim >= 3:  # pictures
            thumbs = pictures(self.inputs)
            height, width = thumbs[0].shape[:2]
            size = (width * ROW_HEIGHT / height, ROW_HEIGHT)
        else:  # points or table rows: their features as cells
            thumbs = [unit_strip(x, symmetric_peak(self.inputs), per_line=16) for x in
                      self.inputs.reshape(len(self.inputs), -1)]
            size = (thumbs[0].shape[1] * 2 * CELL, thumbs[0].shape[0] * 2 * CELL)
        labels.append(Label("probe samples", QRectF(0, 0, NAME_WIDTH - 8, size[1]), bold=True))
        for index, (thumb, rect) in enumerate(zip(thumbs, grid_rects(len(thumbs), size, len(thumbs), 6.0,
                                                                      NAME_WIDTH, 0))):
            tiles.append(Tile(qimage(thumb), rect, ("sample", index), CHOSEN if index == self.sample else None))
            name = self.labels[index] if index < len(self.labels) else ""
            labels.append(Label(f"{index + 1}" + (f": {name}" if name else ""),
                                QRectF(rect.x() - 3, rect.bottom() + 1, rect.width() + 6, 15),
                                align=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop))
        right = NAME_WIDTH + len(thumbs) * (size[0] + 6)
        y = size[1] + 26
        for layer in self.layers:
            values = layer.values[min(self.sample, len(layer.values) - 1)]
            peak = symmetric_peak(values)
            chosen = layer.node_id == self.selected
            row_tiles, row_height = self._row(values, peak, NAME_WIDTH, y, ("layer", layer.node_id))
            colour = CHOSEN.darker(130) if chosen else None
            more = f" · first {MAX_MAPS}" if values.ndim == 3 and len(values) > MAX_MAPS else ""
            detail = shape_text(layer.values) + more + (f" · {layer.note}" if layer.note else "")
            if row_height >= 28:
                labels.append(Label(layer.name, QRectF(0, y, NAME_WIDTH - 8, 15), bold=True, color=colour))
                labels.append(Label(detail, QRectF(0, y + 15, NAME_WIDTH - 8, 15), color=colour))
            else:
                labels.append(Label(f"{layer.name}  {detail}", QRectF(0, y, NAME_WIDTH - 8, row_height), bold=chosen,
                                    color=colour))
            right_edge = max(t.rect.right() for t in row_tiles)
            if chosen:
                panels.append(Panel(QRectF(-2, y - 4, right_edge + 6, row_height + 8), CHOSEN.lighter(170)))
            tiles += row_tiles
            right = max(right, right_edge)
            y += row_height + 12
        return tiles, labels, (right + 4, y), panels

    def _row(self, values: np.ndarray, peak: float, left: float, top: float, key) -> tuple[list[Tile], float]:
        if values.ndim == 3:  # feature maps
            maps = values[:MAX_MAPS]
            height, width = maps.shape[1:]
            size = (width * ROW_HEIGHT / height, ROW_HEIGHT)
            rects = grid_rects(len(maps), size, len(maps), 2.0, left, top)
            return [Tile(qimage(m), r, key) for m, r in zip(diverging_rgb(maps, peak), rects)], ROW_HEIGHT
        strip = unit_strip(values.ravel(), peak)
        lines = strip.shape[0]
        rect = QRectF(left, top, strip.shape[1] * CELL, lines * CELL)
        return [Tile(qimage(strip), rect, key)], max(CELL * lines, 14.0)

    def _draw_detail(self) -> None:
        layer = self._detailed()
        if layer is None or self.array is None:
            self.detail_caption.setText("Click a layer in the strip (or select it on the canvas) to see all its maps.")
            self.detail.show_message("")
            self.colorbar.hide()
            return
        values = self.array
        peak = symmetric_peak(values)
        self.colorbar.set_scale(-peak, peak, "value")
        self.colorbar.show()
        if values.ndim == 3:
            maps = values[:DETAIL_MAPS]
            size = cell_size(*maps.shape[1:], target=64.0)
            rows, columns = grid_shape(len(maps), aspect=1.4)
            cell = (size[0], size[1] + 15)
            rects = grid_rects(len(maps), cell, columns, 6.0)
            tiles = [Tile(qimage(m), QRectF(r.x(), r.y(), *size)) for m, r in zip(diverging_rgb(maps, peak), rects)]
            labels = [Label(f"map {i + 1}", QRectF(r.x() - 3, r.y() + size[1], size[0] + 6, 15),
                            align=TOP_CENTRE) for i, r in enumerate(rects)]
            page = (columns * (cell[0] + 6) - 6, rows * (cell[1] + 6) - 6)
            more = f" (first {DETAIL_MAPS} of {len(values)} maps)" if len(values) > DETAIL_MAPS else ""
        else:
            flat = values.ravel()
            rows, columns = grid_shape(flat.size, aspect=2.0)
            rects = grid_rects(flat.size, (24.0, 24.0 + 14), columns, 3.0)
            tiles = [Tile(qimage(rgb), QRectF(r.x(), r.y(), 24, 24))
                     for rgb, r in zip(diverging_rgb(flat[:, None, None], peak), rects)]
            labels = [Label(str(i + 1), QRectF(r.x() - 2, r.y() + 24, 28, 14),
                            align=TOP_CENTRE) for i, r in enumerate(rects)]
            page = (columns * 27 - 3, rows * (38 + 3) - 3)
            more = ""
        self.detail_caption.setText(f"<b>{layer.name}</b>: {shape_text(layer.values)} for probe sample "
                                    f"{self.sample + 1}{more}; largest |value| {peak:.3g}.")
        self.detail.set_page(tiles, labels, page)

    def csv_table(self):
        if self.array is None:
            header = ("layer", "sample", "mean", "max")
            rows = [(layer.name, self.sample + 1, float(layer.values[self.sample].mean()),
                     float(layer.values[self.sample].max())) for layer in self.layers
                    if self.sample < len(layer.values)]
            return header, rows
        flat = self.array.reshape(self.array.shape[0], -1) if self.array.ndim > 1 else self.array[None]
        header = ("index",) + tuple(f"v{i}" for i in range(flat.shape[1]))
        return header, ((i, *row) for i, row in enumerate(flat.tolist()))
