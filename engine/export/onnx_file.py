"""`onnx` (.onnx): the model for ONNX runtimes, with a dynamic batch axis. Checked with
`onnx.checker` (full check) and, when onnxruntime is installed, run and compared."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import warnings
from pathlib import Path

import torch
from torch import nn

from engine.export import diagnose
from engine.export.base import ExportError, ExportFormat, Outputs, Runner
from engine.export.source import ExportSource

INPUT_NAME = "input"
OUTPUT_NAME = "output"
BATCH_AXIS = "batch"  # the name of the dynamic first axis of every input and the output
_INSTALL = "pip install onnx onnxscript onnxruntime (or pip install 'layerlab[onnx]')"


def available() -> bool:
    """Whether the packages the ONNX export needs are installed."""
    return all(importlib.util.find_spec(name) for name in ("onnx", "onnxscript"))


def runtime_available() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def _export(module: nn.Module, args: tuple, path: Path | None = None) -> None:
    """Export to `path` (or only convert, when checking one layer)."""
    names = [INPUT_NAME] if len(args) == 1 else [f"{INPUT_NAME}{i}" for i in range(len(args))]
    shapes = tuple({0: BATCH_AXIS} for _ in args)  # a name: dynamic, and the file calls the axis "batch"
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        program = torch.onnx.export(module, args, input_names=names, output_names=[OUTPUT_NAME],
                                    dynamic_shapes=shapes, dynamo=True, verbose=False, optimize=True)
        if path is not None:
            program.save(str(path), external_data=False)


def write(source: ExportSource, out: Outputs) -> None:
    if not available():
        raise ExportError(f"The onnx format needs the onnx and onnxscript packages; {_INSTALL}.")
    import onnx

    try:
        _export(source.model, (source.example(),), out.path)
    except Exception as error:
        raise ExportError(diagnose.refusal("onnx", source, error, _export)) from None
    try:
        onnx.checker.check_model(str(out.path), full_check=True)
    except onnx.checker.ValidationError as error:
        raise ExportError(f"The onnx file failed onnx.checker's full check: {error}") from None


def load(source: ExportSource, out: Outputs) -> Runner | None:
    if not runtime_available():
        return None
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(out.path), options, providers=["CPUExecutionProvider"])

    def run(batch: torch.Tensor) -> torch.Tensor:
        (result,) = session.run([OUTPUT_NAME], {INPUT_NAME: batch.numpy()})
        return torch.from_numpy(result)

    return run


FORMAT = ExportFormat("onnx", ".onnx", "ONNX with a dynamic batch axis (checked by onnx.checker and onnxruntime)",
                      write, load, tolerance=1e-4)
