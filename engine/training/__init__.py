"""Training engine (no Qt): settings, the record-yielding Trainer, gradient check, DDP.

The names below are imported on first use, so that reading `engine.training.settings` (the CLI's
argument parser does) does not import torch."""

from __future__ import annotations

import importlib

_HOMES = {**dict.fromkeys(("EpochRecord", "EvalRecord", "Failed", "Finished", "Paused", "ProbeRecord", "Started",
                           "Stopped", "StepRecord"), "records"),
          "DEFAULT_PROBE_EVERY": "settings", "TrainingSettings": "settings", "Trainer": "trainer"}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
