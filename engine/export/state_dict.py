"""`state_dict` (.pt): the weights as a plain PyTorch state dict, loadable with
`torch.load(path, weights_only=True)` into the same network."""

from __future__ import annotations

import torch

from engine.export.base import ExportFormat, Outputs, Runner
from engine.export.source import ExportSource


def write(source: ExportSource, out: Outputs) -> None:
    torch.save(source.state_dict(), out.path)


def load(source: ExportSource, out: Outputs) -> Runner:
    model = source.fresh_model()
    model.load_state_dict(torch.load(out.path, map_location="cpu", weights_only=True), strict=True)
    return model


FORMAT = ExportFormat("state_dict", ".pt", "PyTorch state dict (weights only; load with weights_only=True)",
                      write, load)
