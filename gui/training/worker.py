"""The training worker: builds the engine's Trainer and runs its record generator on the compute
thread, writing the run directory as the records come (engine.run_dir.RunRecorder, the same code
as `layerlab train --out`) and sending the plain records to the GUI in batches through a queued
signal. It is a plain Python object (no QObject may die on the compute thread) and never touches
a widget."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from engine.errors import LayerLabError
from engine.project import Project
from engine.run_dir import RunRecorder
from engine.training import records as R
from engine.training.control import Control
from engine.training.live_extras import LiveExtras
from engine.training.trainer import Trainer
from gui.common.compute import post_to_gui
from gui.training.extras import REQUESTS

FLUSH_SECONDS = 0.05
"""At most ~20 batches a second reach the GUI, however fast the trainer yields."""


class TrainingWorker:
    """`on_records(batch)` is called on the GUI thread with lists of engine.training.records objects.
    With `run_dir`, the run directory is written there (each record is written before the GUI gets
    it: when the end record arrives, the directory is complete). `control` steers the trainer."""

    def __init__(self, project: Project, control: Control, on_records: Callable[[list], None],
                 run_dir: str | Path | None = None) -> None:
        self.project, self.control, self.on_records = project, control, on_records
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.recorder: RunRecorder | None = None
        self.save_error: str | None = None  # why the run directory could not be written
        self.finished = threading.Event()

    @property
    def run_dir_complete(self) -> bool:
        return self.recorder is not None and self.recorder.complete

    def run(self) -> None:
        """Runs on the compute thread (all torch work stays there)."""
        batch: list = []
        try:
            trainer = Trainer(self.project, control=self.control)
            if self.run_dir is not None:
                self.recorder = RunRecorder(trainer, self.run_dir)
            extras = LiveExtras(trainer, REQUESTS)
            last_flush = time.monotonic()
            for record in trainer.run():
                self._write(trainer, record)
                batch.append(record)
                batch.extend(extras(record))
                urgent = isinstance(record, (R.Started, R.Paused, *R.END_RECORDS))
                if urgent or time.monotonic() - last_flush >= FLUSH_SECONDS:
                    post_to_gui(self.on_records, batch)
                    batch, last_flush = [], time.monotonic()
                if isinstance(record, R.END_RECORDS):
                    batch.extend(extras.after_end(record))  # sent after the end record, not holding it
        except LayerLabError as error:  # refused before training: a bad graph or setting
            batch.append(R.Failed(str(error)))
        except Exception as error:
            batch.append(R.Failed(f"Training stopped by an unexpected error: {type(error).__name__}: {error}"))
        finally:
            if batch:
                post_to_gui(self.on_records, batch)
            self.finished.set()

    def _write(self, trainer: Trainer, record) -> None:
        """The run directory follows the record; a disk problem ends the writing, not the run."""
        if self.recorder is None:
            return
        try:
            self.recorder(record)
        except OSError as error:
            self.save_error = f"cannot write the run directory {self.run_dir}: {error}"
            self.recorder = None
            trainer.checkpoint_path = None
