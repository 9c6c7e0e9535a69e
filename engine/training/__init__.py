"""Training engine (no Qt): settings, the record-yielding Trainer, gradient check, DDP."""

from engine.training.records import (EpochRecord, EvalRecord, Failed, Finished, Paused, ProbeRecord, Started,
                                     Stopped, StepRecord)
from engine.training.settings import DEFAULT_PROBE_EVERY, TrainingSettings
from engine.training.trainer import Trainer

__all__ = ["DEFAULT_PROBE_EVERY", "EpochRecord", "EvalRecord", "Failed", "Finished", "Paused", "ProbeRecord",
           "Started", "Stopped", "StepRecord", "Trainer", "TrainingSettings"]
