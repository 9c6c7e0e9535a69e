"""Run a Trainer to the end and write its run directory (the CLI and scripts use this)."""

from __future__ import annotations

import os
from typing import Callable

from engine.project import Project
from engine.run_dir import RunWriter
from engine.training import records as R
from engine.training.trainer import Trainer


def train_to_directory(trainer: Trainer, out_dir: str | os.PathLike | None,
                       on_record: Callable[[R.Record], None] | None = None) -> R.Finished | R.Stopped | R.Failed:
    """Consume `trainer.run()`; on rank 0 write project, metrics per epoch, best weights and summary.
    Returns the end record."""
    writer = RunWriter(out_dir) if out_dir is not None else None
    if writer is not None and trainer.checkpoint_path is None:
        trainer.checkpoint_path = writer.checkpoint_path
    end: R.Finished | R.Stopped | R.Failed | None = None
    for record in trainer.run():
        main = trainer.prepared is None or trainer.prepared.ctx.is_main
        if on_record is not None and main:
            on_record(record)
        if writer is None or not main:
            if isinstance(record, R.END_RECORDS):
                end = record
            continue
        if isinstance(record, R.Started):
            writer.write_project(_trained_project(trainer))
        elif isinstance(record, R.EpochRecord):
            writer.write_metrics(trainer.history)
        elif isinstance(record, R.END_RECORDS):
            end = record
            if trainer.prepared is not None:
                writer.write_metrics(trainer.history)
                writer.write_weights(trainer.prepared.gm.state_dict())
                writer.write_summary(record.summary or {"stopped_reason": "failed", "message": record.message})
    assert end is not None
    return end


def _trained_project(trainer: Trainer) -> Project:
    p = trainer.project
    return Project(trainer.prepared.network, p.name, p.description, trainer.data_settings.to_dict(only_changed=True),
                   trainer.settings.to_dict(only_changed=True))
