"""Loss and accuracy curves: training per step (optionally smoothed), validation per epoch,
log-scale toggle, and earlier runs of the project overlaid for comparison."""

from __future__ import annotations

from itertools import zip_longest

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QLabel, QSlider
from PySide6.QtCore import Qt

from gui.plots.base import PlotPanel
from gui.plots.series import Series, Smoother

TRAIN, VAL, OVERLAY = "#1f77b4", "#d62728", "#999999"


class LossPlot(PlotPanel):
    title = "Loss and accuracy"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.train_loss, self.val_loss = Series(), Series()
        self.train_accuracy, self.val_accuracy = Series(), Series()
        self._drawn: tuple = ()
        self._smooth_loss = Smoother()
        self._y_ranges: dict | None = None  # None: pyqtgraph's auto range (until a run says its length)
        self.log_box = QCheckBox("log scale")
        self.smooth_slider = QSlider(Qt.Horizontal)
        self.smooth_slider.setRange(0, 99)
        self.smooth_slider.setValue(60)
        self.smooth_slider.setMaximumWidth(100)
        for widget in (QLabel("smoothing"), self.smooth_slider, self.log_box):
            self.header.insertWidget(self.header.count() - 2, widget)
        self.log_box.toggled.connect(lambda on: self.loss_plot.setLogMode(y=on))
        self.smooth_slider.valueChanged.connect(lambda _: self.refresh(force=True))

        layout = pg.GraphicsLayoutWidget()
        layout.setMinimumHeight(120)
        self.loss_plot = layout.addPlot(row=0, col=0, title="loss")
        self.accuracy_plot = layout.addPlot(row=1, col=0, title="accuracy")
        self.accuracy_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.addLegend(offset=(-10, 10))
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
        self.loss_plot.setLabel("bottom", "step")
        self.raw_curve = self.loss_plot.plot(pen=pg.mkPen(TRAIN + "40"), skipFiniteCheck=True)
        self.smooth_curve = self.loss_plot.plot(pen=pg.mkPen(TRAIN, width=1), name="train", skipFiniteCheck=True)
        self.val_curve = self.loss_plot.plot(pen=pg.mkPen(VAL), symbol="o", symbolSize=6, symbolBrush=VAL,
                                             name="validation")
        self.train_acc_curve = self.accuracy_plot.plot(pen=pg.mkPen(TRAIN), symbol="s", symbolSize=5,
                                                       symbolBrush=TRAIN, name="train (epoch mean)")
        self.val_acc_curve = self.accuracy_plot.plot(pen=pg.mkPen(VAL), symbol="o", symbolSize=6,
                                                     symbolBrush=VAL, name="validation")
        self.overlays: dict[str, pg.PlotDataItem] = {}
        self.body.addWidget(layout)

    def set_planned_steps(self, steps: int) -> None:
        """Fix the step axis to the whole run, so it is not re-laid out on every redraw."""
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.enableAutoRange(x=False, y=False)
            plot.setXRange(0, max(1, steps), padding=0.01)
        self._y_ranges = {}

    def _fit_y(self, plot, values: list) -> None:
        """Widen the y range when the data leaves it, narrow it when the data uses under half of it
        (few range changes, so the axis is redrawn rarely)."""
        finite = [v[np.isfinite(v)] for v in values if v.size]
        finite = [v for v in finite if v.size]
        if not finite:
            return
        low, high = min(float(v.min()) for v in finite), max(float(v.max()) for v in finite)
        if self.log_box.isChecked():
            return plot.enableAutoRange(y=True)
        current = self._y_ranges.get(id(plot))
        span = max(high - low, 1e-12)
        if current is None or low < current[0] or high > current[1] or (current[1] - current[0]) > 2.5 * span:
            current = (low - 0.08 * span, high + 0.08 * span)
            self._y_ranges[id(plot)] = current
            plot.setYRange(*current, padding=0)

    def clear(self) -> None:
        for series in (self.train_loss, self.val_loss, self.train_accuracy, self.val_accuracy):
            series.clear()
        self._smooth_loss = Smoother()
        self.refresh(force=True)

    def add_overlay(self, label: str, steps, losses) -> None:
        """Show an earlier run's training loss (dashed grey) for comparison."""
        curve = self.loss_plot.plot(list(steps), list(losses), name=label,
                                    pen=pg.mkPen(OVERLAY, style=Qt.DashLine))
        self.overlays[label] = curve

    def clear_overlays(self) -> None:
        for curve in self.overlays.values():
            self.loss_plot.removeItem(curve)
        self.overlays.clear()

    def refresh(self, force: bool = False) -> None:
        state = tuple(s.version for s in (self.train_loss, self.val_loss, self.train_accuracy, self.val_accuracy))
        if state == self._drawn and not force:
            return
        self._drawn = state
        weight = self.smooth_slider.value() / 100
        self.raw_curve.setData(self.train_loss.x, self.train_loss.y)
        self.smooth_curve.setData(self.train_loss.x, self._smooth_loss(self.train_loss.y, weight))
        self.val_curve.setData(self.val_loss.x, self.val_loss.y)
        self.train_acc_curve.setData(self.train_accuracy.x, self.train_accuracy.y)
        self.val_acc_curve.setData(self.val_accuracy.x, self.val_accuracy.y)
        if self._y_ranges is not None:
            self._fit_y(self.loss_plot, [self.train_loss.y, self.val_loss.y])
            self._fit_y(self.accuracy_plot, [self.train_accuracy.y, self.val_accuracy.y])

    def csv_table(self):
        header = ("step", "train_loss", "train_accuracy", "val_step", "val_loss", "val_accuracy")
        columns = (self.train_loss.x, self.train_loss.y, self.train_accuracy.y,
                   self.val_loss.x, self.val_loss.y, self.val_accuracy.y)
        rows = zip_longest(*(c.tolist() for c in columns), fillvalue="")
        return header, rows
