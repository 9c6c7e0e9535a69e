"""`torch.nn` and LayerLab's own modules, imported on first use.

The layer specs name `nn.Conv2d` and friends in their builders, but the editor (palette, shape
inference, inspector) and the CLI's `summary` and `validate` read the specs without ever building a
module. Importing torch takes seconds, so the layer library must not import it: a family file
writes `nn.Conv2d(...)` with `nn` from here, and torch is imported when the first module is built.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    """Stands for the module `name`; the first attribute read imports it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str):
        # only called for attributes this object lacks, i.e. everything but _name
        module: ModuleType = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


nn = LazyModule("torch.nn")
modules = LazyModule("engine.layers.modules")
"""engine/layers/modules.py: the small nn.Modules PyTorch lacks (Add, Reshape, ...)."""
