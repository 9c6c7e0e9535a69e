"""All training views in one tab widget, fed from batches of records and redrawn by a timer
at a bounded rate (only the visible tab), so a fast trainer cannot flood the event loop."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QScrollArea, QTabWidget

from engine.graph import Network
from engine.training import records as R
from gui.plots.autoencoder_view import AutoencoderPanel
from gui.plots.confusion import ConfusionPanel
from gui.plots.decision_boundary import DecisionBoundaryPanel
from gui.plots.gradcheck_view import GradcheckPanel
from gui.plots.gradient_flow import GradientFlowPanel
from gui.plots.histograms import HistogramsPanel
from gui.plots.image_grid import ActivationsPanel, FiltersPanel
from gui.plots.loss_plot import LossPlot
from gui.training.canvas_overlay import dead_fraction
from gui.training.extras import BoundaryRecord

REFRESH_MS = 100  # 10 redraws a second: smooth to the eye, cheap for the training beside it
REFRESH_BUDGET_S = 0.008


class TrainingViews(QTabWidget):
    """Routes records to the panels. `probe_updated(record)` lets the canvas show gradient flow."""

    probe_updated = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.loss = LossPlot()
        self.activations = ActivationsPanel()
        self.filters = FiltersPanel()
        self.gradients = GradientFlowPanel()
        self.histograms = HistogramsPanel()
        self.confusion = ConfusionPanel()
        self.boundary = DecisionBoundaryPanel()
        self.autoencoder = AutoencoderPanel()
        self.gradcheck = GradcheckPanel()
        self.panels = []
        for panel, label in ((self.loss, "Loss"), (self.activations, "Activations"), (self.filters, "Filters"),
                             (self.gradients, "Gradient flow"), (self.histograms, "Histograms"),
                             (self.confusion, "Confusion"), (self.boundary, "Boundary"),
                             (self.autoencoder, "Reconstruction"), (self.gradcheck, "Gradient check")):
            self.panels.append(panel)
            area = QScrollArea()  # the dock can shrink below a panel's natural size
            area.setWidget(panel)
            area.setWidgetResizable(True)
            area.setFrameShape(QScrollArea.Shape.NoFrame)
            self.addTab(area, label)
        self.network: Network | None = None
        self.selected: str | None = None
        self.sample_index = 0
        self.last_probe: R.ProbeRecord | None = None
        self.runs: list[tuple[str, np.ndarray, np.ndarray]] = []
        self._next_panel = 0
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.currentChanged.connect(lambda _: self.refresh())

    def current_panel(self):
        area = self.currentWidget()
        return area.widget() if area is not None else None

    def show_panel(self, panel) -> None:
        self.setCurrentIndex(next(i for i in range(self.count()) if self.widget(i).widget() is panel))

    # -- a new run ------------------------------------------------------------------------
    def begin_run(self, network: Network, label: str) -> None:
        """Keep the previous run's loss as an overlay and clear everything else."""
        if self.loss.train_loss.size:
            previous = f"run {len(self.runs) + 1}"
            self.runs.append((previous, self.loss.train_loss.x.copy(), self.loss.train_loss.y.copy()))
            self.loss.add_overlay(previous, *self.runs[-1][1:])
        self.network = network
        self.last_probe = None
        self.loss.clear()
        self.gradients.clear()
        self.histograms.clear()
        self.activations.show_message(ActivationsPanel.empty_hint)
        self.filters.show_message(FiltersPanel.empty_hint)

    def forget_runs(self) -> None:
        """Another project was opened: nothing of the old one's runs stays on screen."""
        self.runs.clear()
        self.loss.clear_overlays()
        self.loss.clear()
        self.network, self.last_probe = None, None
        self.gradients.clear()
        self.histograms.clear()
        self.activations.show_message(ActivationsPanel.empty_hint)
        self.filters.show_message(FiltersPanel.empty_hint)
        for panel in (self.confusion, self.boundary, self.autoencoder, self.gradcheck):
            panel.clear()

    # -- records --------------------------------------------------------------------------
    def consume(self, batch: list) -> None:
        for record in batch:
            if isinstance(record, R.Started):
                self.loss.set_planned_steps(record.start_step + (record.epochs - record.start_epoch)
                                            * record.steps_per_epoch)
            elif isinstance(record, R.StepRecord):
                self.loss.train_loss.append(record.step, record.loss)
            elif isinstance(record, R.EpochRecord) and record.train_accuracy is not None:
                self.loss.train_accuracy.append(record.step, record.train_accuracy)
            elif isinstance(record, R.EvalRecord) and record.split == "val":
                self.loss.val_loss.append(record.step, record.loss)
                if record.accuracy is not None:
                    self.loss.val_accuracy.append(record.step, record.accuracy)
            elif isinstance(record, R.ProbeRecord):
                self._probe(record)
            elif isinstance(record, BoundaryRecord):
                if self.boundary.labels.size == 0:
                    self.boundary.set_points(record.points, record.labels)
                self.boundary.bounds = record.bounds
                self.boundary.set_probabilities(record.probabilities, record.resolution)

    def _probe(self, record: R.ProbeRecord) -> None:
        self.last_probe = record
        names = self._names()
        self.gradients.add(record.step, {names.get(n, n): v for n, v in record.grad_norm.items()})
        for node_id, (counts, edges) in record.weight_histograms.items():
            self.histograms.add(record.step, names.get(node_id, node_id), "weights", edges, counts)
        for node_id, (counts, edges) in record.grad_histograms.items():
            self.histograms.add(record.step, names.get(node_id, node_id), "gradients", edges, counts)
        if record.outputs is not None and record.inputs is not None and \
                record.outputs.shape == record.inputs.shape:
            self.autoencoder.set_pairs(record.inputs, record.outputs)
        self.show_node(self.selected)
        self.probe_updated.emit(record)

    def _names(self) -> dict[str, str]:
        if self.network is None:
            return {}
        return {n: self.network.name_of(n) for n in self.network.node_ids}

    def show_node(self, node_id: str | None) -> None:
        """Show the selected layer's activations and weights from the latest probe."""
        self.selected = node_id
        probe = self.last_probe
        if node_id is None or probe is None or self.network is None or node_id not in self.network:
            return
        name = self.network.name_of(node_id)
        activations = probe.activations.get(node_id)
        if activations is not None:
            sample = min(self.sample_index, len(activations) - 1)
            extra = ""
            if self.network.spec(node_id).type_id in ("ReLU",):
                extra = f", {dead_fraction(activations):.0%} of units (channels) dead on every probe sample"
            self.activations.set_data(f"{name}: output for probe sample {sample} "
                                      f"({'x'.join(map(str, activations.shape[1:]))}){extra}", activations[sample])
        weights = probe.weights.get(node_id)
        if weights is not None:
            self.filters.image_shape = tuple(probe.inputs.shape[1:]) if probe.inputs is not None else None
            self.filters.set_data(f"{name}: weights {'x'.join(map(str, weights.shape))}", weights)
        else:
            self.filters.show_message(f"'{name}' has no filters to show; select a convolution or the first "
                                      "dense layer.")

    def refresh(self) -> None:
        """Redraw the panels a person can see (normally the current tab only). With many visible,
        a tick stops after REFRESH_BUDGET_S and the next tick goes on where it stopped, so one
        tick never blocks the event loop for long."""
        started = time.perf_counter()
        count = len(self.panels)
        for offset in range(count):
            panel = self.panels[(self._next_panel + offset) % count]
            if panel.isVisible():
                panel.refresh()
            if time.perf_counter() - started > REFRESH_BUDGET_S:
                self._next_panel = (self._next_panel + offset + 1) % count
                return
