"""`safetensors`: the weights in the safetensors format (no code, memory-mappable), keyed like
the compiled model's state dict."""

from __future__ import annotations

from safetensors.torch import load_file, save_file

from engine.export.base import ExportFormat, Outputs, Runner
from engine.export.source import ExportSource


def write(source: ExportSource, out: Outputs) -> None:
    save_file(source.state_dict(), str(out.path), metadata={"producer": "LayerLab", "model": source.project.name})


def load(source: ExportSource, out: Outputs) -> Runner:
    model = source.fresh_model()
    model.load_state_dict(load_file(str(out.path), device="cpu"), strict=True)
    return model


FORMAT = ExportFormat("safetensors", ".safetensors", "safetensors weights (no code; keyed like the state dict)",
                      write, load)
