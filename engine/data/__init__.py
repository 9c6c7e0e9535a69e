"""Dataset sources, splits, normalization and augmentation (no Qt).

The names below are imported on first use, so that reading the settings schema does not import
torch."""

from __future__ import annotations

import importlib

_HOMES = {"Dataset": "dataset", "Split": "dataset", "load_dataset": "dataset", "DatasetError": "errors",
          "SettingsError": "schema", "AugmentSettings": "settings", "DatasetSettings": "settings"}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
