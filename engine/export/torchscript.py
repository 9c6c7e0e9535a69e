"""`torchscript` (.pt): the model traced to TorchScript; load with `torch.jit.load(path)`."""

from __future__ import annotations

import warnings

import torch
from torch import nn

from engine.export import diagnose
from engine.export.base import ExportError, ExportFormat, Outputs, Runner
from engine.export.source import ExportSource


def _trace(module: nn.Module, args: tuple) -> torch.jit.ScriptModule:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.jit.trace(module, args, check_trace=False)


def write(source: ExportSource, out: Outputs) -> None:
    try:
        traced = _trace(source.model, (source.example(),))
    except Exception as error:
        raise ExportError(diagnose.refusal("torchscript", source, error, _trace)) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # torch.jit is deprecated but still widely used
        torch.jit.save(traced, str(out.path))


def load(source: ExportSource, out: Outputs) -> Runner:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return torch.jit.load(str(out.path), map_location="cpu")


FORMAT = ExportFormat("torchscript", ".pt", "TorchScript (traced); load with torch.jit.load, no Python class needed",
                      write, load)
