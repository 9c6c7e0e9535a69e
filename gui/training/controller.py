"""Starts, steers and stops a training run on the compute thread; the GUI side of the worker.
Each run writes a run directory under `runs_folder()`, the same kind as `layerlab train --out`."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal

from engine.project import Project
from engine.training import records as R
from engine.training.control import Control
from gui.common.compute import run_on_compute_thread
from gui.training.worker import TrainingWorker

SHUTDOWN_SECONDS = 1.0


def runs_folder() -> Path:
    """Where the app's runs go: $LAYERLAB_RUNS, else the app's data folder."""
    if os.environ.get("LAYERLAB_RUNS"):
        return Path(os.environ["LAYERLAB_RUNS"])
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base or Path.home()) / "LayerLab" / "runs"


def new_run_dir(project: Project, folder: Path | None = None) -> Path:
    """A directory name for a new run of `project`: '<project file stem>-<date>-<time>' under
    `folder` (default `runs_folder()`), with '-2', '-3'... when that is taken."""
    stem = Path(project.path).stem if project.path else project.name
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "run"
    base = (folder or runs_folder()) / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, number = base, 1
    while path.exists():
        number += 1
        path = base.with_name(f"{base.name}-{number}")
    return path


class TrainingController(QObject):
    """States: idle, running, paused, finished, stopped, failed. Records arrive in `records`."""

    records = Signal(list)
    state_changed = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker: TrainingWorker | None = None
        self.state = "idle"
        self.control = Control()  # one per run; steering works even before the trainer exists
        self.run_dir: Path | None = None  # the run directory of the last run started

    @property
    def active(self) -> bool:
        return self.state in ("running", "paused")

    def start(self, project: Project, probe_every: int | None = None, run_dir: str | Path | None = None,
              probe_min_seconds: float = 0.0) -> str | None:
        """Start training a snapshot of `project`; returns a reason if a run is already going.
        A graph or settings problem arrives as a Failed record (state 'failed'). The run directory
        is `run_dir`, or a new one under `runs_folder()` (written only once the run starts)."""
        if self.active:
            return "A run is already in progress; stop it first."
        self.control = Control()  # the trainer is made with it on the compute thread
        if probe_every is not None:
            self.control.set_probe_every(probe_every)
        self.control.probe_min_seconds = probe_min_seconds
        self.run_dir = Path(run_dir) if run_dir is not None else new_run_dir(project)
        self.worker = TrainingWorker(project.snapshot(), self.control, self._on_records, self.run_dir)
        self._set_state("running")
        run_on_compute_thread(self.worker.run)
        return None

    # -- steering (thread-safe: the engine's Control is read by the trainer between steps) ---
    def pause(self) -> None:
        if self.state == "running":
            self.control.pause()

    def resume(self) -> None:
        if self.state == "paused":
            self.control.resume()
            self._set_state("running")

    def step_once(self) -> None:
        if self.state == "paused":
            self.control.step_once()

    def stop(self) -> None:
        if self.active:
            self.control.stop()

    def set_lr(self, lr: float) -> None:
        if self.active:
            self.control.set_lr(lr)

    def request_probe(self) -> None:
        """A probe of the current weights now (a paused run wakes for it)."""
        if self.active:
            self.control.request_probe()

    def shutdown(self, timeout: float = SHUTDOWN_SECONDS) -> bool:
        """Abort the run (no final evaluation; an evaluation in progress is cut short) and wait
        until the compute thread is done with it (closing the window, opening another project).
        True if it ended in time."""
        self.control.abort()
        return self.worker is None or self.worker.finished.wait(timeout)

    def saved_run_dir(self) -> Path | None:
        """The last run's directory once it is complete (not while running, nor after an abort)."""
        return self.run_dir if self.worker is not None and self.worker.run_dir_complete else None

    @property
    def run_dir_error(self) -> str | None:
        return self.worker.save_error if self.worker is not None else None

    # -- records ------------------------------------------------------------------------
    def _on_records(self, batch: list) -> None:
        for record in batch:
            if isinstance(record, R.Paused):
                self._set_state("paused")
            elif isinstance(record, R.StepRecord) and self.state == "paused" and not self.control.paused:
                self._set_state("running")
            elif isinstance(record, R.Finished):
                self._set_state("finished")
            elif isinstance(record, R.Stopped):
                self._set_state("stopped")
            elif isinstance(record, R.Failed):
                self._set_state("failed")
                self.failed.emit(record.message)
        self.records.emit(batch)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
