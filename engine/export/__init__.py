"""Export a LayerLab model to the formats people use; every export reloads what it wrote and
checks it against the original model before the file is put in place.

    from engine.export import export, load_source
    result = export(load_source("runs/lenet5-1"), "onnx", "lenet5.onnx")
    result.max_abs_diff
"""

from __future__ import annotations

import os

from engine.export import (
    exported_program,
    onnx_file,
    python_code,
    safetensors_file,
    state_dict,
    torchscript,
    training_script,
)
from engine.export.base import ExportError, ExportFormat, ExportResult, run_export
from engine.export.source import ExportSource, SourceError, load_source, source_from_project

FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    state_dict.FORMAT, safetensors_file.FORMAT, torchscript.FORMAT, onnx_file.FORMAT,
    exported_program.FORMAT, python_code.FORMAT, training_script.FORMAT)}


def get_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"Unknown export format '{name}'; choose one of {', '.join(FORMATS)}.") from None


def export(source: ExportSource, format_name: str, path: str | os.PathLike) -> ExportResult:
    """Write `source` as `format_name` to `path`, verified; raises ExportError naming the problem."""
    return run_export(get_format(format_name), source, path)


__all__ = ["FORMATS", "ExportError", "ExportFormat", "ExportResult", "ExportSource", "SourceError", "export",
           "get_format", "load_source", "source_from_project"]
