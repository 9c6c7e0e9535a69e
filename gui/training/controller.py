"""Starts, steers and stops a training run in a background thread; the GUI side of the worker."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal

from engine.errors import LayerLabError
from engine.project import Project
from engine.training import records as R
from engine.training.trainer import Trainer
from gui.training.extras import LiveExtras
from gui.training.worker import TrainingWorker

SHUTDOWN_MS = 2000


class TrainingController(QObject):
    """States: idle, running, paused, finished, stopped, failed. Records arrive in `records`."""

    records = Signal(list)
    state_changed = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.trainer: Trainer | None = None
        self.thread: QThread | None = None
        self.worker: TrainingWorker | None = None
        self.state = "idle"

    @property
    def active(self) -> bool:
        return self.state in ("running", "paused")

    def start(self, project: Project, probe_every: int | None = None) -> str | None:
        """Start training a snapshot of `project`; returns the reason if it cannot start."""
        if self.active:
            return "A run is already in progress; stop it first."
        snapshot = Project(network=project.network.copy(), name=project.name, description=project.description,
                           dataset=dict(project.dataset), training=dict(project.training), path=project.path)
        try:
            trainer = Trainer(snapshot)
        except LayerLabError as error:
            self.failed.emit(str(error))
            return str(error)
        if probe_every is not None:
            trainer.set_probe_every(probe_every)
        self.trainer = trainer
        self.thread = QThread()
        self.thread.setObjectName("layerlab-training")
        self.worker = TrainingWorker(trainer, LiveExtras(trainer))
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.records.connect(self._on_records)
        # Direct: quit from the worker's own thread, so the GUI thread never waits on a queued quit.
        self.worker.done.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)
        self._set_state("running")
        self.thread.start()
        return None

    # -- steering (thread-safe calls into the engine's Control) -------------------------
    def pause(self) -> None:
        if self.trainer and self.state == "running":
            self.trainer.pause()

    def resume(self) -> None:
        if self.trainer and self.state == "paused":
            self.trainer.resume()
            self._set_state("running")

    def step_once(self) -> None:
        if self.trainer and self.state == "paused":
            self.trainer.step_once()

    def stop(self) -> None:
        if self.trainer and self.active:
            self.trainer.stop()

    def set_lr(self, lr: float) -> None:
        if self.trainer and self.active:
            self.trainer.set_lr(lr)

    def shutdown(self, timeout_ms: int = SHUTDOWN_MS) -> bool:
        """Stop the run and wait for its thread (closing the window, opening another project)."""
        if self.trainer is not None:
            self.trainer.stop()
        if self.thread is None:
            return True
        self.thread.quit()
        finished = self.thread.wait(timeout_ms)
        if finished:
            self._release()
        return finished

    # -- records ------------------------------------------------------------------------
    def _on_records(self, batch: list) -> None:
        for record in batch:
            if isinstance(record, R.Paused):
                self._set_state("paused")
            elif isinstance(record, R.StepRecord) and self.state == "paused" and not self.trainer.control.paused:
                self._set_state("running")
            elif isinstance(record, R.Finished):
                self._set_state("finished")
            elif isinstance(record, R.Stopped):
                self._set_state("stopped")
            elif isinstance(record, R.Failed):
                self._set_state("failed")
                self.failed.emit(record.message)
        self.records.emit(batch)
        if self.state in ("finished", "stopped", "failed") and self.thread is not None:
            self.thread.wait(SHUTDOWN_MS)
            self._release()

    def _release(self) -> None:
        if self.worker is not None:
            self.worker.deleteLater()
        if self.thread is not None:
            self.thread.deleteLater()
        self.worker, self.thread = None, None

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
