"""All training views in one tab widget, fed from batches of records and redrawn by a timer
at a bounded rate (only the visible tab), so a fast trainer cannot flood the event loop. Each
tab is its panel itself: the panel decides what scrolls (a page of pictures, a table), so there
are never scroll bars inside scroll bars."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QTabWidget

from engine.blocks.definition import BlockError
from engine.graph import Network
from engine.layers.spec import LayerSpec
from engine.training import records as R
from engine.training.live_extras import BoundaryRecord, PredictionsRecord, RunModel, WalksRecord
from gui.plots.activations import ActivationsPanel, LayerOutput
from gui.plots.autoencoder_view import AutoencoderPanel
from gui.plots.confusion import ConfusionPanel
from gui.plots.decision_boundary import DecisionBoundaryPanel
from gui.plots.filters import FiltersPanel
from gui.plots.gradcheck_view import GradcheckPanel
from gui.plots.gradient_flow import GradientFlowPanel
from gui.plots.histograms import HistogramsPanel
from gui.plots.loss_plot import LossPlot
from gui.plots.schedule import RefreshSchedule
from gui.training.canvas_overlay import dead_fraction
from gui.training.extras import REQUESTS

REFRESH_MS = 100  # 10 ticks a second: smooth to the eye, cheap for the training beside it
SPLIT_WORDS = {"val": "validation", "test": "test", "train": "training"}


class TrainingViews(QTabWidget):
    """Routes records to the panels. `probe_updated(record)` lets the canvas show gradient flow;
    `evaluate_requested` relays the confusion matrix's Evaluate button."""

    probe_updated = Signal(object)
    evaluate_requested = Signal()

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
            self.addTab(panel, label)
        self.confusion.evaluate_requested.connect(self.evaluate_requested)
        # The dock may be smaller than a panel wants (behind the Summary while editing): the panel is
        # then cut, never wrapped in a second scroll area; during a run the window gives it room.
        self.setMinimumSize(120, 60)
        self.network: Network | None = None
        self.selected: str | None = None
        self.last_probe: R.ProbeRecord | None = None
        self.steps_per_epoch = 0
        self.runs: list[tuple[str, np.ndarray, np.ndarray]] = []
        self.running = False  # steps are being taken: drawing yields to training
        self.schedule = RefreshSchedule(self.panels)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.paused = False  # a run waits at a Pause or Step: a view shown now may ask for fresh data
        self.currentChanged.connect(self._tab_shown)

    def current_panel(self):
        return self.currentWidget()

    def show_panel(self, panel) -> None:
        self.setCurrentWidget(panel)

    # -- a new run ------------------------------------------------------------------------
    def begin_run(self, network: Network, label: str) -> None:
        """Keep the previous run's loss as an overlay (in epochs) and clear everything else."""
        if self.loss.train_loss.size:
            previous = f"run {len(self.runs) + 1}"
            self.runs.append((previous, self.loss.epochs(self.loss.train_loss.x), self.loss.train_loss.y.copy()))
            self.loss.add_overlay(previous, *self.runs[-1][1:])
        self.network = network
        self._clear_run_views()
        self.running, self.paused = True, False  # a run is starting: from now on drawing yields to it

    def forget_runs(self) -> None:
        """Another project was opened: nothing of the old one's runs stays on screen."""
        self.runs.clear()
        self.loss.clear_overlays()
        self.network = None
        self.running = False
        self._clear_run_views()
        self.gradcheck.clear()

    def _clear_run_views(self) -> None:
        self.last_probe = None
        self.steps_per_epoch = 0
        self.loss.clear()
        self.gradients.clear()
        self.histograms.clear()
        self.activations.clear()
        self.filters.show_message(FiltersPanel.empty_hint)
        for panel in (self.confusion, self.boundary, self.autoencoder):
            panel.clear()

    def _tab_shown(self, _index: int) -> None:
        """Draw the tab shown at once; the confusion matrix, shown while a run is paused with no
        matrix yet, is computed from the paused weights (as Evaluate would)."""
        panel = self.currentWidget()
        if panel is None:
            return
        panel.refresh()
        if panel is self.confusion and self.paused and self.confusion.matrix.sum() == 0:
            self.evaluate_requested.emit()

    # -- records --------------------------------------------------------------------------
    def consume(self, batch: list) -> None:
        for record in batch:
            if isinstance(record, R.StepRecord):
                self.loss.train_loss.append(record.step, record.loss)
                self.running, self.paused = True, False
            elif isinstance(record, R.ProbeRecord):
                self._probe(record)
            elif isinstance(record, R.EvalRecord):
                self._evaluation(record)
            elif isinstance(record, R.EpochRecord) and record.train_accuracy is not None:
                self.loss.train_accuracy.append(record.step, record.train_accuracy)
            elif isinstance(record, R.Started):
                self.running = True
                self.steps_per_epoch = record.steps_per_epoch
                planned = getattr(record, "total_steps", record.epochs * record.steps_per_epoch)
                self.loss.begin(record.steps_per_epoch, planned)
                self.gradients.set_time_unit(record.steps_per_epoch, planned)
                self.histograms.set_time_unit(record.steps_per_epoch, planned)
            elif isinstance(record, BoundaryRecord):
                if self.boundary.labels.size == 0:
                    self.boundary.set_points(record.points, record.labels)
                self.boundary.set_probabilities(record.probabilities, record.shape, record.bounds, record.step)
            elif isinstance(record, PredictionsRecord):
                self.show_predictions(record.result, f" after step {record.step:,} (epoch {record.epoch})")
            elif isinstance(record, WalksRecord):
                self.autoencoder.set_walks(record.frames, record.step)
            elif isinstance(record, RunModel):
                self.loss.expect_accuracy_from(record.task)
            elif isinstance(record, R.Paused):
                self.running = False  # nothing to yield to: show the fresh probe at once
                self.paused = True
            elif isinstance(record, (R.Finished, R.Stopped)):
                restored = getattr(record, "restored_best", True)
                self._ended(record.step, record.reason, record.best_step, restored)
            elif isinstance(record, R.Failed):
                self.running = False
                if record.step:
                    self._ended(record.step, "failed", None, True)

    def _ended(self, step: int, reason: str, best_step: int | None, restored: bool) -> None:
        """Every time axis ends where the run ended."""
        self.running = self.paused = False
        self.loss.set_end(step, reason, best_step, restored)
        self.gradients.set_end(step)
        self.histograms.set_end(step)

    def _evaluation(self, record: R.EvalRecord) -> None:
        if record.final:
            self.loss.set_final(record.split, record.loss, record.accuracy)
        elif record.split == "val":
            self.loss.val_loss.append(record.step, record.loss)
            if record.accuracy is not None:
                self.loss.val_accuracy.append(record.step, record.accuracy)
            if record.is_best:
                self.loss.set_best(record.step)

    def show_predictions(self, result, when: str = "") -> None:
        self.confusion.set_results(result.labels, result.predictions, result.images, result.class_names,
                                   SPLIT_WORDS.get(result.split, result.split), when)

    def _probe(self, record: R.ProbeRecord) -> None:
        self.last_probe = record
        names = self._names()  # inner layers (not node ids) go by their paths
        self.gradients.add(record.step, {names.get(n, n): v for n, v in record.grad_norm.items()})
        for node_id, (counts, edges) in record.weight_histograms.items():
            self.histograms.add(record.step, names.get(node_id, node_id), "weights", edges, counts)
        for node_id, (counts, edges) in record.grad_histograms.items():
            self.histograms.add(record.step, names.get(node_id, node_id), "gradients", edges, counts)
        if record.outputs is not None and record.inputs is not None and \
                record.outputs.shape == record.inputs.shape:
            self.autoencoder.set_pairs(record.inputs, record.outputs)
        self._show_activations(record)
        self.show_node(self.selected)
        self.probe_updated.emit(record)

    def _names(self) -> dict[str, str]:
        if self.network is None:
            return {}
        return {n: self.network.name_of(n) for n in self.network.node_ids}

    def _spec(self, key: str, record: R.ProbeRecord) -> LayerSpec | None:
        """The spec of a probe key: a top-level node id, or an inner layer's path (found by walking
        its node-id chain down the block definitions)."""
        network = self.network
        if network is None:
            return None
        if key in network:
            return network.spec(key)
        chain, library = record.inner.get(key), network.library
        if not chain or library is None:
            return None
        try:
            for node_id in chain[:-1]:
                network = library.definition(network.params_view(node_id)["definition"]).network
            return network.spec(chain[-1]) if chain[-1] in network else None
        except (BlockError, KeyError):
            return None  # the library changed since the run began

    def _label(self, key: str) -> str:
        """A top-level layer's name; an inner layer's path ('stage2.0.conv1')."""
        return self.network.name_of(key) if self.network is not None and key in self.network else key

    def _show_activations(self, record: R.ProbeRecord) -> None:
        if self.network is None:
            return
        layers = []
        for key, values in record.activations.items():
            spec = self._spec(key, record)
            if spec is None or values.ndim < 2 or spec.role in ("input", "output"):
                continue  # the input is the sample row; the output repeats the last layer
            note = f"{dead_fraction(values):.0%} dead" if spec.can_die else ""
            layers.append(LayerOutput(key, self._label(key), spec.type_id, values, note))
        labels = []
        if record.targets is not None and record.targets.ndim == 1:
            labels = [str(int(t)) if float(t).is_integer() else f"{t:.3g}" for t in record.targets.tolist()]
        self.activations.set_probe(layers, record.inputs, labels, record.step, f" after step {record.step:,}")

    def show_node(self, node_id: str | None) -> None:
        """Follow the layer selected on the canvas: its activations in detail, its weights as filters
        (the first layer with weights when it has none)."""
        self.selected = node_id
        self.activations.select_layer(node_id)
        probe = self.last_probe
        if probe is None or self.network is None or not probe.weights:
            return
        # a Block node selected: the first of its inner layers with filters
        inside = next((k for k in probe.weights if probe.inner.get(k, ("",))[0] == node_id), None)
        chosen = node_id if node_id in probe.weights else inside or next(iter(probe.weights))
        name = self._label(chosen)
        if node_id is None or chosen in (node_id, inside) or node_id not in self.network:
            hint = "Select another convolution (or the first dense layer) on the canvas to see its filters."
        else:
            hint = f"({self.network.name_of(node_id)} has no weights drawn here.)"
        self.filters.image_shape = tuple(probe.inputs.shape[1:]) if probe.inputs is not None else None
        self.filters.set_data(f"{name} after step {probe.step:,}", probe.weights[chosen], hint)

    def refresh(self) -> None:
        """Redraw the panels a person can see (normally the current tab only) that have new data.
        While a run goes on, one panel per tick, in turn, within the GUI thread's share of a core;
        otherwise as many as fit in a short budget (see gui.plots.schedule)."""
        REQUESTS.confusion_shown = self.confusion.isVisible()
        REQUESTS.boundary_aspect = self.boundary.aspect()
        self.schedule.tick(self.running)
