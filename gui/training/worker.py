"""The training worker: runs the engine's trainer generator in a QThread and sends its plain
records to the GUI in batches through a queued signal. It never touches a widget."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, Signal, Slot

from engine.training import records as R
from engine.training.trainer import Trainer

FLUSH_SECONDS = 0.05
"""At most ~20 batches a second reach the GUI, however fast the trainer yields."""

Extra = Callable[[object], list]


class TrainingWorker(QObject):
    records = Signal(list)  # a batch of engine.training.records objects (plain data)
    done = Signal()

    def __init__(self, trainer: Trainer, extra: Extra | None = None) -> None:
        super().__init__()
        self.trainer = trainer
        self.extra = extra  # called in this thread on each record; returns derived records to send too

    @Slot()
    def run(self) -> None:
        batch: list = []
        last_flush = time.monotonic()
        try:
            for record in self.trainer.run():
                batch.append(record)
                if self.extra is not None:
                    batch.extend(self.extra(record))
                urgent = isinstance(record, (R.Started, R.Paused, *R.END_RECORDS))
                if urgent or time.monotonic() - last_flush >= FLUSH_SECONDS:
                    self.records.emit(batch)
                    batch, last_flush = [], time.monotonic()
        except Exception as error:  # noqa: BLE001 - a bug must not kill the thread silently
            batch.append(R.Failed(f"Training stopped by an unexpected error: {type(error).__name__}: {error}"))
        finally:
            if batch:
                self.records.emit(batch)
            self.done.emit()
