"""Plugs live training into the window that hosts it (a TrainingHost, gui.training.host): the
Training and Views docks, the Run actions, the edit lock while a run is in progress, clean shutdown,
and the post-run evaluations."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from engine.errors import LayerLabError
from engine.predictions import predict_split
from engine.project import Project
from engine.training import records as R
from engine.training.gradcheck import gradient_check
from engine.training.live_extras import FlowRecord, RunModel
from engine.training.settings import DEFAULT_PROBE_EVERY
from gui.common.compute import run_in_background
from gui.training import canvas_overlay
from gui.training.binding import bind_command
from gui.training.controller import TrainingController, runs_folder  # noqa: F401 - runs_folder: where runs go
from gui.training.extras import REQUESTS
from gui.training.host import TrainingHost
from gui.training.panel import LOCK_NOTE, TrainingPanel
from gui.training.section_command import SetSectionCommand
from gui.training.views import TrainingViews

PROBE_MIN_SECONDS = 1.0  # the views need about one scheduled probe a second; each costs the training


class TrainingFeature(QObject):
    run_saved = Signal(object)  # the Path of a run directory just completed (the Runs panel lists it)

    def __init__(self, host: TrainingHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.document = host.document
        self.controller = TrainingController(self)
        self.panel = TrainingPanel()
        self.views = TrainingViews()
        self.last_run_dir: Path | None = None
        self.probe_every = DEFAULT_PROBE_EVERY
        self._run_project: Project | None = None
        self._views_project = self.document.project  # the project whose runs the views show
        self.run_architecture: dict | None = None  # the trained network's layers and wires (not positions)
        self.run_model: RunModel | None = None  # the last run's model and data (from its records)
        self._overlaid: list = [None, None]  # the last FlowRecord and ProbeRecord drawn on the canvas
        host.add_training_docks(self.panel, self.views)
        self._attach_actions()
        self._connect()
        self.panel.set_network(self.document.root, self.document.root_analysis)
        self.panel.load_sections(self.document.project.dataset, self.document.project.training)

    def _attach_actions(self) -> None:
        """The host owns the Run menu and toolbar; from now on they drive this feature."""
        host = self.host
        self.act_train, self.act_pause, self.act_step, self.act_stop = (
            host.act_train, host.act_pause, host.act_step, host.act_stop)
        host.act_gradcheck.setEnabled(True)
        self.act_train.setToolTip("Train the network (F5)")
        self._update_actions("idle")
        host.run_status.set_device(self._device_text())

    @staticmethod
    def _device_text() -> str:
        from engine.training.device import describe_device, select_device

        try:
            return describe_device(select_device("auto"))
        except Exception:
            return "cpu"

    def _update_actions(self, state: str) -> None:
        active = state in ("running", "paused")
        self.act_train.setEnabled(not active)
        self.act_pause.setEnabled(active)
        self.act_pause.setIconText("Resume" if state == "paused" else "Pause")
        self.act_step.setEnabled(state == "paused")
        self.act_stop.setEnabled(active)

    def _connect(self) -> None:
        panel, doc, ctl = self.panel, self.document, self.controller
        panel.train_clicked.connect(self.start)
        panel.pause_clicked.connect(ctl.pause)
        panel.resume_clicked.connect(ctl.resume)
        panel.step_clicked.connect(ctl.step_once)
        panel.stop_clicked.connect(ctl.stop)
        panel.lr_changed.connect(ctl.set_lr)
        panel.settings_edited.connect(lambda name, values: doc.execute(SetSectionCommand(doc, name, values)))
        panel.dataset_chosen.connect(self._bind_input_shape)  # only the user's choice binds the Input
        panel.data_facts_changed.connect(doc.set_data_facts)  # what does not fit shows on the cards
        doc.root_analysis_changed.connect(lambda analysis: panel.set_network(doc.root, analysis))
        ctl.state_changed.connect(self._on_state)
        ctl.records.connect(panel.show_records)
        self.views.timer.timeout.connect(panel.refresh)
        self.views.timer.timeout.connect(self._show_toolbar_progress)
        ctl.records.connect(self.views.consume)
        ctl.records.connect(self._on_records)
        ctl.failed.connect(self._on_failed)
        doc.section_changed.connect(lambda _: panel.load_sections(doc.project.dataset, doc.project.training))
        doc.reset.connect(self._on_reset)
        doc.scope_changed.connect(lambda: self._show_overlay())  # a block opened or closed: its cards' signals
        doc.changed.connect(self._on_change)
        doc.about_to_replace.connect(lambda: self.shutdown())
        self.host.scene.selectionChanged.connect(self._on_selection)
        self.views.gradcheck.run_requested.connect(self.run_gradcheck)
        self.views.evaluate_requested.connect(self.evaluate_confusion)

    # -- run control ------------------------------------------------------------------------
    def start(self) -> None:
        if not self.document.project.dataset:  # nothing chosen: no silent MNIST
            self.panel.ask_for_dataset()
            self.host.show_dock("Training")
            return
        project = self.document.project
        self.views.begin_run(project.network.copy(), project.name)
        self.panel.begin_run(float(project.training.get("lr", 0.01)))
        canvas_overlay.clear(self.host.scene)
        self._overlaid = [None, None]
        self.run_architecture = project.network.architecture()
        self._run_project, self.run_model = project, None
        reason = self.controller.start(project, probe_every=self.probe_every, probe_min_seconds=PROBE_MIN_SECONDS)
        if reason is None:
            # after the dock tabs exist (a run pressed while PyTorch loaded starts as they are made)
            QTimer.singleShot(0, self.host.enter_training_layout)

    def toggle_pause(self) -> None:
        (self.controller.resume if self.controller.state == "paused" else self.controller.pause)()

    def step_once(self) -> None:
        self.controller.step_once()

    def stop(self) -> None:
        self.controller.stop()

    def shutdown(self) -> bool:
        """Abort a run and wait for the compute thread to leave it (at most a second)."""
        stopped = self.controller.shutdown()
        self.document.set_locked(None)
        return stopped

    def _on_state(self, state: str) -> None:
        self.panel.set_state(state)
        active = state in ("running", "paused")
        self.document.set_locked(LOCK_NOTE if active else None)
        self._update_actions(state)
        self._show_toolbar_progress()
        if active:
            self.host.show_dock("Training")
            self.host.dismiss_welcome()
        self.host.show_status(f"Training {state}.", 5000)

    def _show_toolbar_progress(self) -> None:
        """The toolbar's few words: epoch and percentage while running, the outcome after."""
        progress, state = self.panel.progress, self.controller.state
        active = state in ("running", "paused")
        self.host.run_status.show_progress(progress.fraction if active and progress.total_steps else None,
                                             progress.short_text(paused=state == "paused"))

    def _on_failed(self, message: str) -> None:
        self.panel.show_failure(message)
        self.host.show_status(message, 15000)

    def _on_change(self, change) -> None:
        """An edit of the network makes the last run's gradient flow on the canvas stale
        (moving a card does not)."""
        if change.kind != "moved":
            canvas_overlay.clear(self.host.scene)
            self._overlaid = [None, None]

    def _on_reset(self) -> None:
        canvas_overlay.clear(self.host.scene)
        if self.document.project is not self._views_project:
            self._overlaid = [None, None]
            self._views_project = self.document.project
            self.views.forget_runs()
            self.panel.reset_run_state()
            self.host.run_status.show_progress(None, "")
        self.panel.load_sections(self.document.project.dataset, self.document.project.training)

    def _show_overlay(self, which: tuple[int, ...] = (0, 1)) -> None:
        """The last gradient flow (0) and dead units (1) on the cards shown, inside an opened block too."""
        scope = [(step.block, step.repetition) for step in self.document.scope]
        model = self.run_model.model if self.run_model is not None else None
        flow, probe = self._overlaid
        if flow is not None and 0 in which:
            norms = canvas_overlay.in_scope(flow.norms, self.document.network, scope, model)
            canvas_overlay.show_flow(self.host.scene, norms)
        if probe is not None and 1 in which:
            activations = canvas_overlay.in_scope(probe.activations, self.document.network, scope, model)
            canvas_overlay.show_dead_units(self.host.scene, activations)

    def _on_selection(self) -> None:
        try:
            ids = self.host.scene.selected_node_ids()
        except RuntimeError:  # the scene is being destroyed with the window
            return
        self.views.show_node(ids[0] if len(ids) == 1 else None)

    def _on_records(self, batch: list) -> None:
        for record in batch:
            if isinstance(record, FlowRecord):
                self._overlaid[0] = record
                self._show_overlay((0,))
            elif isinstance(record, R.ProbeRecord):
                self._overlaid[1] = record
                self._show_overlay((1,))
            elif isinstance(record, RunModel):
                self.run_model = record
            elif isinstance(record, (R.Finished, R.Stopped)):
                self._after_run()

    # -- after a run --------------------------------------------------------------------------
    def _after_run(self) -> None:
        """The run's directory is complete (its end predictions follow in the next records)."""
        folder = self.controller.saved_run_dir()  # written on the compute thread as the run went
        if folder is not None:
            self._run_saved(folder)
        elif self.controller.run_dir_error:
            self.host.show_status(f"Run not saved: {self.controller.run_dir_error}", 10000)

    def evaluate_confusion(self) -> None:
        """The confusion matrix's Evaluate button: predictions of the current weights. During a run
        the training thread computes them with its next record (a paused run is woken by a probe
        request); otherwise on the compute thread from the last run's model (its RunModel record)."""
        run, confusion = self.run_model, self.views.confusion
        if run is not None and run.task != "classification":
            confusion.show_message("A confusion matrix needs a classification task; this run has none.")
        elif self.controller.active:
            REQUESTS.ask_predictions()  # a paused run wakes for a probe; its records go out once 50 ms
            QTimer.singleShot(60, self.controller.request_probe)  # have passed since the Paused record's
        elif run is None or self.document.project is not self._run_project:
            confusion.show_message("Train the network first: the matrix shows a trained model's predictions.")
        else:
            model, dataset, split = run.model, run.dataset, run.prediction_split
            run_in_background(lambda: predict_split(model, dataset, split),
                              lambda result: self.views.show_predictions(result, " (current weights)") if result
                              else confusion.show_message("No in-memory split to evaluate."),
                              confusion.show_message, self.views)

    def _run_saved(self, folder: Path) -> None:
        self.last_run_dir = Path(folder)
        self.host.show_status(f"Run saved in {folder}", 8000)
        self.run_saved.emit(self.last_run_dir)

    def trained_run_dir(self) -> Path | None:
        """The last complete run's directory (summary.json, metrics.jsonl, weights.safetensors,
        checkpoint.pt, project.layerlab) while the network still has the layers, parameters and wires it
        trained (moving cards does not matter)."""
        if self.last_run_dir is None or self.run_architecture != self.document.root.architecture():
            return None
        return self.last_run_dir

    # -- dataset binding and gradient check ----------------------------------------------------
    def _bind_input_shape(self, dataset) -> None:
        """The user chose `dataset`: the Input takes its sample shape and the last layer one unit per
        class, as one undo step that says so (gui.training.binding)."""
        if self.controller.active:
            return
        command = bind_command(self.document.root, self.document.root_analysis, dataset)
        if command is not None and self.document.execute(command) is None:
            self.host.show_status(f"{command.text()} (Ctrl+Z undoes it).", 8000)
            self.panel.show_bound(command.text())

    def run_gradcheck(self) -> None:
        snapshot = self.document.project.snapshot()
        self.views.gradcheck.set_running()
        self.host.show_dock("Views")
        self.views.show_panel(self.views.gradcheck)

        def check():
            try:
                return gradient_check(snapshot)
            except LayerLabError as error:
                raise RuntimeError(str(error)) from None

        run_in_background(check, self.views.gradcheck.set_results, self.views.gradcheck.show_error, self.views)
