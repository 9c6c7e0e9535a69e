"""`exported_program` (.pt2): the model captured with torch.export, with a dynamic batch size;
load with `torch.export.load(path).module()`."""

from __future__ import annotations

import torch
from torch import nn
from torch.export import Dim

from engine.export import diagnose
from engine.export.base import ExportError, ExportFormat, Outputs, Runner
from engine.export.source import ExportSource


def capture(module: nn.Module, args: tuple) -> torch.export.ExportedProgram:
    """torch.export with the batch axis of every input left dynamic."""
    shapes = tuple({0: Dim.DYNAMIC} for _ in args)
    return torch.export.export(module, args, dynamic_shapes=shapes)


def write(source: ExportSource, out: Outputs) -> None:
    try:
        program = capture(source.model, (source.example(),))
    except Exception as error:
        raise ExportError(diagnose.refusal("exported_program", source, error, capture)) from None
    with open(out.path, "wb") as handle:  # a handle: the temporary file's name need not end in .pt2
        torch.export.save(program, handle)


def load(source: ExportSource, out: Outputs) -> Runner:
    with open(out.path, "rb") as handle:
        return torch.export.load(handle).module()


FORMAT = ExportFormat("exported_program", ".pt2", "torch.export ExportedProgram with a dynamic batch axis",
                      write, load)
