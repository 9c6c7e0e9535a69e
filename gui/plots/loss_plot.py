"""Loss and accuracy over the run, in epochs (the step under the mouse is read out): training
loss per step (smoothed, the raw values faint behind), validation per evaluation, the best
epoch and an early stop marked, the final train/validation/test figures at the end, and
earlier runs of the project overlaid. The axes span the planned run while it goes on and end
where it ended. Legends sit above the plots, listing only series that have data."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QSlider, QStackedLayout, QVBoxLayout, QWidget

from gui.plots.base import PlotPanel, caption
from gui.plots.opaque import GridAxis, over_background
from gui.plots.ranges import set_view_range
from gui.plots.series import Series, Smoother

EMPTY_ACCURACY = (0.0, 100.0)  # an accuracy plot before its first value: the whole scale, in %
TRAIN, VAL, TEST, BEST, END = "#1f77b4", "#d62728", "#2ca02c", "#2ca02c", "#7f7f7f"
OVERLAYS = ("#8c8c8c", "#b07aa1", "#9c755f", "#bab0ac", "#76b7b2")
SPLIT_WORDS = {"train": "training", "val": "validation", "test": "test"}
EMPTY_TEXT = "No run yet. Press Train (F5): the training loss appears here after the first steps."
WAITING_TEXT = "Training has started; the first losses appear after a few steps."
FINAL_HINT = "<span style='color:#777'>The figures at the end of a run (of the weights it keeps) appear here.</span>"


def padded_range(low: float, high: float, log: bool = False) -> tuple[float, float]:
    """A y range around [low, high] that never collapses: near-constant values get a span of at
    least 5 % of their size (no 1.19999047984250 / 1.19999047984245 ticks)."""
    span = high - low
    floor = max(0.05 * max(abs(low), abs(high)), 1e-3) if not log else 0.02
    if span < floor:
        middle = 0.5 * (low + high)
        low, high, span = middle - floor / 2, middle + floor / 2, floor
    return low - 0.08 * span, high + 0.08 * span


def _swatch(color: str, mark: str) -> str:
    return f"<span style='color:{color}; font-weight:bold'>{mark}</span>"


class LossPlot(PlotPanel):
    title = "Loss and accuracy"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.train_loss, self.val_loss = Series(), Series()  # x: steps (drawn in epochs)
        self.train_accuracy, self.val_accuracy = Series(), Series()
        self.steps_per_epoch = 0
        self.planned_steps = 0
        self.expect_accuracy = False  # the run will report accuracy: its plot is there from the start
        self.end: tuple[int, str] | None = None  # (step, reason) once the run ended
        self.best_step: int | None = None
        self.finals: dict[str, tuple[float, float | None]] = {}
        self.restored_best = True
        self.overlays: dict[str, pg.PlotDataItem] = {}
        self._drawn: tuple = ()
        self._smooth_loss = Smoother()
        self._y_ranges: dict[int, tuple[float, float]] = {}
        self.readout = QLabel("")
        self.readout.setMinimumWidth(40)
        self.log_box = QCheckBox("log scale")
        self.smooth_slider = QSlider(Qt.Orientation.Horizontal)
        self.smooth_slider.setRange(0, 99)
        self.smooth_slider.setValue(60)
        self.smooth_slider.setMaximumWidth(100)
        self.smooth_slider.setToolTip("Smoothing of the training loss (exponential moving average)")
        self.header.insertWidget(1, self.readout, 1)
        for widget in (QLabel("smoothing"), self.smooth_slider, self.log_box):
            self.add_header_widget(widget)
        self.log_box.toggled.connect(self._set_log)
        self.smooth_slider.valueChanged.connect(lambda _: self.refresh(force=True))

        # Legend and final figures keep two lines each from the start: a series that appears, or
        # the figures at the end, do not squeeze (re-lay out and repaint) the plots mid-run.
        self.legend = caption("", lines=2)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.final_label = caption(FINAL_HINT, lines=2)
        self.loss_widget, self.accuracy_widget = (pg.PlotWidget(axisItems={"left": GridAxis("left"),
                                                                           "bottom": GridAxis("bottom")})
                                                  for _ in range(2))
        self.loss_plot, self.accuracy_plot = self.loss_widget.getPlotItem(), self.accuracy_widget.getPlotItem()
        self.accuracy_plot.setXLink(self.loss_plot)
        for widget, plot, name in ((self.loss_widget, self.loss_plot, "loss"),
                                   (self.accuracy_widget, self.accuracy_plot, "accuracy (%)")):
            widget.setMinimumHeight(70)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setLabel("left", name)
            plot.setLabel("bottom", "epoch")
            plot.setMenuEnabled(False)
            plot.getAxis("left").setWidth(56)
            plot.getAxis("left").enableAutoSIPrefix(False)  # 0.65, not 650 (x0.001)
            plot.hideButtons()
            plot.vb.setMouseEnabled(x=False, y=False)  # the wheel belongs to the page, not the plot
        raw_pen = pg.mkPen(over_background(pg.mkColor(TRAIN + "40")))  # faint, opaque: see gui.plots.opaque
        self.raw_curve = self.loss_plot.plot(pen=raw_pen, skipFiniteCheck=True)
        self.smooth_curve = self.loss_plot.plot(pen=pg.mkPen(TRAIN, width=1), skipFiniteCheck=True)
        self.val_curve = self.loss_plot.plot(pen=pg.mkPen(VAL), symbol="o", symbolSize=6, symbolBrush=VAL,
                                             symbolPen=None)
        self.train_acc_curve = self.accuracy_plot.plot(pen=pg.mkPen(TRAIN), symbol="s", symbolSize=5,
                                                       symbolBrush=TRAIN, symbolPen=None)
        self.val_acc_curve = self.accuracy_plot.plot(pen=pg.mkPen(VAL), symbol="o", symbolSize=6,
                                                     symbolBrush=VAL, symbolPen=None)
        self.final_points = {plot: plot.plot(pen=None, symbol="star", symbolSize=13, symbolBrush=TEST,
                                             symbolPen=pg.mkPen("w")) for plot in (self.loss_plot, self.accuracy_plot)}
        both = (self.loss_plot, self.accuracy_plot)
        self.best_lines = [self._marker(plot, BEST, Qt.PenStyle.DashLine, 0.9) for plot in both]
        self.end_lines = [self._marker(plot, END, Qt.PenStyle.DotLine, 0.7, side=1) for plot in both]
        plots = QWidget()
        column = QVBoxLayout(plots)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.loss_widget, 3)
        column.addWidget(self.accuracy_widget, 2)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #555; font-size: 13px;")
        self.empty.setAutoFillBackground(True)  # opaque: the plots under it are not painted
        # The message lies over the plots, which are laid out from the start: the first losses do
        # not show (and lay out, and paint) two plots from nothing in the middle of a run.
        stacked = QWidget()
        self.stack = QStackedLayout(stacked)
        self.stack.setStackingMode(QStackedLayout.StackingMode.StackAll)
        self.stack.addWidget(plots)
        self.stack.addWidget(self.empty)
        self.stack.setCurrentWidget(self.empty)
        self.body.addWidget(self.legend)
        self.body.addWidget(stacked, 1)
        self.body.addWidget(self.final_label)
        for widget in (self.loss_widget, self.accuracy_widget):
            widget.scene().sigMouseMoved.connect(lambda pos, w=widget: self._hover(w, pos))
        self._show_legend()

    @staticmethod
    def _marker(plot, color: str, style, position: float, side: float = 0) -> pg.InfiniteLine:
        """A vertical line with its label to the right (side 0) or, at the run's end, left (side 1)."""
        line = pg.InfiniteLine(angle=90, pen=pg.mkPen(color, width=1.5, style=style), movable=False, label="",
                               labelOpts={"position": position, "color": color, "fill": (255, 255, 255, 200),
                                          "anchors": [(side, 0.5), (side, 0.5)]})
        line.setZValue(-5)
        line.hide()
        plot.addItem(line, ignoreBounds=True)
        return line

    # -- the run ----------------------------------------------------------------------------
    def begin(self, steps_per_epoch: int, planned_steps: int) -> None:
        """A run started: x in epochs of `steps_per_epoch` steps, the axis spanning `planned_steps`
        (drawn at the next refresh)."""
        self.steps_per_epoch = max(1, steps_per_epoch)
        self.planned_steps = max(1, planned_steps)
        self.end, self.best_step, self.finals = None, None, {}
        self.empty.setText(WAITING_TEXT)
        self._drawn = ()

    def expect_accuracy_from(self, task: str) -> None:
        """The run's task: a classification reports accuracy, so its plot is there from the start
        of the run (it does not squeeze the loss plot in the middle of the run)."""
        self.expect_accuracy = task == "classification"
        self._drawn = ()

    def set_best(self, step: int) -> None:
        """The best evaluation so far (validation), marked on both plots."""
        self.best_step = step
        self._drawn = ()

    def set_final(self, split: str, loss: float, accuracy: float | None) -> None:
        self.finals[split] = (loss, accuracy)
        self._drawn = ()

    def set_end(self, step: int, reason: str, best_step: int | None, restored_best: bool = True) -> None:
        """The run ended at `step` (reason: completed, early_stopping, max_steps, stopped, ...)."""
        self.end = (step, reason)
        self.restored_best = restored_best
        if best_step is not None and self.best_step is not None:
            self.best_step = best_step
        self._drawn = ()

    def epochs(self, steps) -> np.ndarray:
        return np.asarray(steps, np.float64) / (self.steps_per_epoch or 1)

    def _set_x_end(self) -> None:
        """While a run goes on the x axis spans the planned run, after it the run."""
        steps = max(self.end[0], 1) if self.end is not None else self.planned_steps
        if steps:
            set_view_range(self.loss_plot, x=(0, steps / (self.steps_per_epoch or 1)), padding=0.01)

    # -- data -------------------------------------------------------------------------------
    def clear(self) -> None:
        for series in (self.train_loss, self.val_loss, self.train_accuracy, self.val_accuracy):
            series.clear()
        self._smooth_loss = Smoother()
        self.end, self.best_step, self.finals = None, None, {}
        self.expect_accuracy = False
        self._y_ranges.clear()
        self.empty.setText(EMPTY_TEXT)
        self._drawn = ()

    def add_overlay(self, label: str, epochs, losses) -> None:
        """Show an earlier run's training loss (x in epochs) for comparison."""
        color = OVERLAYS[len(self.overlays) % len(OVERLAYS)]
        curve = self.loss_plot.plot(list(epochs), list(losses), pen=pg.mkPen(color, style=Qt.PenStyle.DashLine))
        curve.setZValue(-10)
        self.overlays[label] = curve
        self._drawn = ()

    def clear_overlays(self) -> None:
        for curve in self.overlays.values():
            self.loss_plot.removeItem(curve)
        self.overlays.clear()
        self._drawn = ()

    # -- drawing ----------------------------------------------------------------------------
    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)
        self._y_ranges.pop(id(self.loss_plot), None)
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> bool:
        """Redraw what changed since the last refresh (each setData repaints its plot)."""
        series = (self.train_loss, self.val_loss, self.train_accuracy, self.val_accuracy)
        versions = tuple(s.version for s in series)
        markers = (self.end, self.best_step, tuple(self.finals), self.steps_per_epoch, self.planned_steps,
                   self.expect_accuracy)
        state = (versions, markers, len(self.overlays))
        if state == self._drawn and not force:
            return False
        drawn = self._drawn if self._drawn and not force else ((None,) * 4, None, None)
        self._drawn = state
        has_data = bool(self.train_loss.size or self.val_loss.size or self.overlays or self.finals)
        self.stack.setCurrentWidget(self.stack.widget(0) if has_data else self.empty)
        has_accuracy = bool(self.train_accuracy.size or self.val_accuracy.size or
                            any(a is not None for _, a in self.finals.values()))
        if has_data:  # under the message the plots keep their layout
            self.accuracy_widget.setVisible(has_accuracy or (self.expect_accuracy and self.end is None))
        changed = [old != new for old, new in zip(drawn[0], versions)]
        if changed[0] or drawn[1] != markers:
            x = self.epochs(self.train_loss.x)
            self.raw_curve.setData(x, self.train_loss.y)
            self.smooth_curve.setData(x, self._smooth_loss(self.train_loss.y, self.smooth_slider.value() / 100))
        if changed[1] or drawn[1] != markers:
            self.val_curve.setData(self.epochs(self.val_loss.x), self.val_loss.y)
        if changed[2] or drawn[1] != markers:
            self.train_acc_curve.setData(self.epochs(self.train_accuracy.x), 100 * self.train_accuracy.y)
        if changed[3] or drawn[1] != markers:
            self.val_acc_curve.setData(self.epochs(self.val_accuracy.x), 100 * self.val_accuracy.y)
        if drawn[1] != markers:
            self._set_x_end()
            self._draw_markers()
        if changed[0] or changed[1] or drawn[1] != markers or drawn[2] != len(self.overlays):
            self._fit_y(self.loss_plot, [self.train_loss.y, self.val_loss.y, self._final_values(0)]
                        + [c.yData for c in self.overlays.values() if c.yData is not None])
        if changed[2] or changed[3] or drawn[1] != markers:
            self._fit_y(self.accuracy_plot, [100 * self.train_accuracy.y, 100 * self.val_accuracy.y,
                                             100 * self._final_values(1)], accuracy=True)
        self._show_legend()
        self._show_finals()
        return True

    def _final_values(self, index: int) -> np.ndarray:
        values = [v[index] for split, v in self.finals.items() if split == "test" and v[index] is not None]
        return np.array(values, np.float64)

    def _draw_markers(self) -> None:
        best = self.best_step is not None
        for line in self.best_lines:
            line.setVisible(best)
            if best:
                line.setValue(self.best_step / (self.steps_per_epoch or 1))
        if best:
            label = self.best_lines[0].label
            label.setFormat(f"best: epoch {self.best_step / (self.steps_per_epoch or 1):.3g}")
            # near the axis' end the label goes left of its line, where it is not cut off
            side = 1 if self.best_step > 0.8 * (self.end[0] if self.end else self.planned_steps or 1) else 0
            label.anchors = [(side, 0.5), (side, 0.5)]
            label.updatePosition()
        ended = self.end is not None and self.end[1] != "completed"
        for line in self.end_lines:
            line.setVisible(ended)
            if ended:
                line.setValue(self.end[0] / (self.steps_per_epoch or 1))
        if ended:
            words = {"early_stopping": "early stop", "max_steps": "step limit", "stopped": "stopped",
                     "aborted": "stopped"}.get(self.end[1], self.end[1])
            self.end_lines[0].label.setFormat(f"{words}: epoch {self.end[0] / (self.steps_per_epoch or 1):.3g}")
        at = self.end[0] / (self.steps_per_epoch or 1) if self.end else None
        for index, plot in enumerate((self.loss_plot, self.accuracy_plot)):
            values = self._final_values(index)
            scale = 100 if index else 1
            self.final_points[plot].setData([at] * len(values) if at is not None else [], list(scale * values))

    def _fit_y(self, plot, values: list, accuracy: bool = False) -> None:
        """Widen the y range when the data leaves it, narrow it when the data uses under 40 % of
        it (few range changes, so the axis is redrawn rarely)."""
        finite = [v[np.isfinite(v)] for v in values if v is not None and len(v)]
        finite = [v for v in finite if v.size]
        if not finite:
            if accuracy and self._y_ranges.get(id(plot)) != EMPTY_ACCURACY:  # waiting for the first epoch
                self._y_ranges[id(plot)] = EMPTY_ACCURACY
                set_view_range(plot, y=EMPTY_ACCURACY)
            return
        log = plot is self.loss_plot and self.log_box.isChecked()
        if log:
            finite = [np.log10(v[v > 0]) for v in finite]
            finite = [v for v in finite if v.size]
            if not finite:
                return
        low, high = min(float(v.min()) for v in finite), max(float(v.max()) for v in finite)
        current = self._y_ranges.get(id(plot))
        span = max(high - low, 1e-12)
        if current is None or low < current[0] or high > current[1] or (current[1] - current[0]) > 2.5 * span:
            current = padded_range(low, high, log)
            if accuracy:
                current = (max(current[0], -1.0), min(current[1], 101.0))
            self._y_ranges[id(plot)] = current
            set_view_range(plot, y=current)

    def _show_legend(self) -> None:
        parts = []
        if self.train_loss.size:
            parts.append(f"{_swatch(TRAIN, '━━')} training loss (smoothed; raw faint)")
        if self.train_accuracy.size:
            parts.append(f"{_swatch(TRAIN, '■')} training accuracy (epoch mean)")
        if self.val_loss.size:
            parts.append(f"{_swatch(VAL, '●')} validation")
        if "test" in self.finals:
            parts.append(f"{_swatch(TEST, '★')} test (at the end)")
        if self.best_step is not None:
            parts.append(f"{_swatch(BEST, '┆')} best validation")
        if self.end is not None and self.end[1] != "completed":
            parts.append(f"{_swatch(END, '┆')} where the run stopped")
        for label, curve in self.overlays.items():
            parts.append(f"{_swatch(curve.opts['pen'].color().name(), '┅┅')} {label}")
        text = "&nbsp;&nbsp;&nbsp;".join(parts)
        if text != self.legend.text():
            self.legend.setText(text)

    def _show_finals(self) -> None:
        if not self.finals:
            if self.final_label.text() != FINAL_HINT:
                self.final_label.setText(FINAL_HINT)
            return
        parts = []
        for split in ("train", "val", "test"):
            if split in self.finals:
                loss, accuracy = self.finals[split]
                parts.append(f"{SPLIT_WORDS[split]} loss {loss:.4g}" +
                             (f", accuracy {100 * accuracy:.2f}%" if accuracy is not None else ""))
        weights = f"the best weights, epoch {self.best_step / (self.steps_per_epoch or 1):.3g}" \
            if self.restored_best and self.best_step is not None else "the weights at the end"
        text = f"<b>At the end</b> ({weights}): " + " · ".join(parts)
        if text != self.final_label.text():
            self.final_label.setText(text)

    def _hover(self, widget, pos) -> None:
        plot = widget.getPlotItem()
        if not plot.sceneBoundingRect().contains(pos) or not self.train_loss.size:
            return
        epoch = plot.vb.mapSceneToView(pos).x()
        step = epoch * (self.steps_per_epoch or 1)
        x = self.train_loss.x
        index = int(np.clip(np.searchsorted(x, step), 0, len(x) - 1))
        if index > 0 and abs(x[index - 1] - step) < abs(x[index] - step):
            index -= 1
        smoothed = self._smooth_loss.out[index] if index < self._smooth_loss.done else self.train_loss.y[index]
        self.readout.setText(f"epoch {x[index] / (self.steps_per_epoch or 1):.2f} · step {int(x[index]):,} · "
                             f"loss {self.train_loss.y[index]:.4g} (smoothed {smoothed:.4g})")

    def csv_table(self):
        header = ("series", "step", "epoch", "value")
        rows = []
        for name, series in (("train_loss", self.train_loss), ("val_loss", self.val_loss),
                             ("train_accuracy", self.train_accuracy), ("val_accuracy", self.val_accuracy)):
            rows += [(name, int(s), s / (self.steps_per_epoch or 1), v) for s, v in zip(series.x, series.y)]
        for split, (loss, accuracy) in self.finals.items():
            step = self.end[0] if self.end else ""
            rows.append((f"final_{split}_loss", step, "", loss))
            if accuracy is not None:
                rows.append((f"final_{split}_accuracy", step, "", accuracy))
        return header, rows
