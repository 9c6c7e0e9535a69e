"""What every export format shares: the result record, the error type, and the
write-verify-move step that makes each export prove itself before it lands on disk (written with
engine.atomic, LayerLab's one atomic writer)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from engine.atomic import replacing
from engine.errors import LayerLabError
from engine.export.source import ExportSource


class ExportError(LayerLabError):
    """An export was refused or failed its own check; nothing was written."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote and how closely the reloaded file matches the original model."""

    format: str
    path: Path
    max_abs_diff: float
    extra_files: tuple[Path, ...] = ()
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"format": self.format, "path": str(self.path), "max_abs_diff": self.max_abs_diff}


Runner = Callable[[torch.Tensor], torch.Tensor]
"""A reloaded export as a function: a probe batch in, the model's output out."""


@dataclass(frozen=True)
class Sidecar:
    """A second file an export writes next to its main file (e.g. the python file's weights)."""

    suffix: str


@dataclass(frozen=True)
class Outputs:
    """Where a format writes: `path` (a temporary file) that will become `target`, and the
    temporary path of each sidecar by suffix."""

    path: Path
    target: Path
    sidecars: dict[str, Path]


@dataclass(frozen=True)
class ExportFormat:
    """One format: how to write it to temporary files and how to load them back for the check.

    `write(source, outputs)` writes the file(s). `load(source, outputs)` returns a Runner over the
    written file(s), or None when the check is impossible here (e.g. onnxruntime not installed).
    """

    name: str
    suffix: str
    description: str
    write: Callable[[ExportSource, Outputs], None]
    load: Callable[[ExportSource, Outputs], Runner | None]
    tolerance: float = 1e-5
    sidecars: tuple[Sidecar, ...] = ()
    probe_batch: int = 3


def sidecar_path(path: Path, suffix: str) -> Path:
    """Where a sidecar of `path` goes: model.py -> model.weights.pt."""
    return path.with_name(path.stem + suffix)


def run_export(fmt: ExportFormat, source: ExportSource, path: str | os.PathLike) -> ExportResult:
    """Write `fmt` to temporary files beside `path`, reload them, compare a probe batch with the
    original model, and only then move them into place (engine.atomic.replacing: the sidecars
    first, the main file last). On any failure nothing is left behind."""
    target = Path(path)
    finals = {s.suffix: sidecar_path(target, s.suffix) for s in fmt.sidecars}
    start = time.perf_counter()
    try:
        with replacing(*finals.values(), target) as temps:
            outputs = Outputs(temps[-1], target, dict(zip(finals, temps)))
            runner = _write_and_load(fmt, source, outputs)
            diff = float("nan") if runner is None else verify(source, runner, fmt)
    except OSError as error:
        raise ExportError(f"Cannot write '{target}': {error.strerror or error}.") from error
    return ExportResult(fmt.name, target, diff, tuple(finals.values()), time.perf_counter() - start)


def _write_and_load(fmt: ExportFormat, source: ExportSource, outputs: Outputs) -> Runner | None:
    """`fmt.write` then `fmt.load`, a library's failure turned into one readable ExportError."""
    try:
        fmt.write(source, outputs)
        return fmt.load(source, outputs)
    except (OSError, LayerLabError):
        raise
    except Exception as error:
        raise ExportError(f"The {fmt.name} export failed ({_first_line(error)}); nothing was saved.") from error


def verify(source: ExportSource, runner: Runner, fmt: ExportFormat) -> float:
    """The largest absolute difference between the reloaded export and the original model on a
    probe batch whose size differs from the export example (so a fixed batch size is caught)."""
    probe = source.probe(fmt.probe_batch)
    with torch.no_grad():
        expected = source.model(probe)
        try:
            got = runner(probe)
        except LayerLabError:
            raise
        except Exception as error:
            raise ExportError(f"The {fmt.name} export was written but could not be run again "
                              f"({_first_line(error)}); it was not saved.") from None
    got = torch.as_tensor(got)
    if got.shape != expected.shape:
        raise ExportError(f"The {fmt.name} export gives output shape {tuple(got.shape)} for a batch of "
                          f"{fmt.probe_batch}, but the model gives {tuple(expected.shape)}; it was not saved.")
    diff = float((got.float() - expected.float()).abs().max()) if expected.numel() else 0.0
    if not diff <= fmt.tolerance:
        raise ExportError(f"The {fmt.name} export differs from the model by up to {diff:.3g} "
                          f"(allowed {fmt.tolerance:g}); it was not saved.")
    return diff


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
