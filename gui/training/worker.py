"""The training worker: builds the engine's Trainer and runs its record generator on the compute
thread, sending the plain records to the GUI in batches through a queued signal. It never
touches a widget."""

from __future__ import annotations

import threading
import time
from typing import Callable

from PySide6.QtCore import QObject, Signal

from engine.errors import LayerLabError
from engine.project import Project
from engine.training import records as R
from engine.training.trainer import Trainer
from gui.training.extras import LiveExtras

FLUSH_SECONDS = 0.05
"""At most ~20 batches a second reach the GUI, however fast the trainer yields."""


class TrainingWorker(QObject):
    records = Signal(list)  # a batch of engine.training.records objects (plain data)

    def __init__(self, project: Project, probe_every: int | None, on_trainer: Callable[[Trainer], None]) -> None:
        super().__init__()
        self.project, self.probe_every, self.on_trainer = project, probe_every, on_trainer
        self.finished = threading.Event()

    def run(self) -> None:
        """Runs on the compute thread (all torch work stays there)."""
        batch: list = []
        try:
            trainer = Trainer(self.project)
            if self.probe_every is not None:
                trainer.set_probe_every(self.probe_every)
            self.on_trainer(trainer)
            extras = LiveExtras(trainer)
            last_flush = time.monotonic()
            for record in trainer.run():
                batch.append(record)
                batch.extend(extras(record))
                urgent = isinstance(record, (R.Started, R.Paused, *R.END_RECORDS))
                if urgent or time.monotonic() - last_flush >= FLUSH_SECONDS:
                    self.records.emit(batch)
                    batch, last_flush = [], time.monotonic()
        except LayerLabError as error:  # refused before training: a bad graph or setting
            batch.append(R.Failed(str(error)))
        except Exception as error:  # noqa: BLE001 - a bug must not kill the thread silently
            batch.append(R.Failed(f"Training stopped by an unexpected error: {type(error).__name__}: {error}"))
        finally:
            if batch:
                self.records.emit(batch)
            self.finished.set()
