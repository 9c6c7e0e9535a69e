"""Run directories: what a training run leaves behind, and how to read it back.

    RUN_DIR/summary.json         epochs_run, best_epoch, train/wall seconds, samples/s, device,
                                 stopped_reason, final {train,val,test}_{loss,accuracy}, ...
    RUN_DIR/metrics.jsonl        one JSON object per epoch
    RUN_DIR/weights.safetensors  the best weights; keys = the compiled GraphModule's state_dict keys
    RUN_DIR/checkpoint.pt        model + optimizer + schedule + position (resumable)
    RUN_DIR/project.layerlab     the project as trained (Input shape bound to the dataset)
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from engine.atomic import atomic_write_bytes, atomic_write_text
from engine.errors import LayerLabError
from engine.project import Project, load_project

SUMMARY, METRICS, WEIGHTS, CHECKPOINT, PROJECT = ("summary.json", "metrics.jsonl", "weights.safetensors",
                                                  "checkpoint.pt", "project.layerlab")


class RunDirError(LayerLabError):
    """A run directory is missing a file or holds something unreadable."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class RunWriter:
    """Writes one run directory; every file is replaced atomically."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    @property
    def checkpoint_path(self) -> Path:
        return self.path / CHECKPOINT

    def write_project(self, project: Project) -> None:
        atomic_write_text(self.path / PROJECT, project.to_json())

    def write_metrics(self, rows: list[dict[str, Any]]) -> None:
        atomic_write_text(self.path / METRICS, "".join(json.dumps(_jsonable(r)) + "\n" for r in rows))

    def write_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        from safetensors.torch import save

        tensors = {k: v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
        atomic_write_bytes(self.path / WEIGHTS, save(tensors))

    def write_summary(self, summary: dict[str, Any]) -> None:
        atomic_write_text(self.path / SUMMARY, json.dumps(_jsonable(summary), indent=2) + "\n")


@dataclass
class Run:
    path: Path
    project: Project
    summary: dict[str, Any]
    metrics: list[dict[str, Any]] = field(default_factory=list)

    def weights(self) -> dict[str, torch.Tensor]:
        return load_weights(self.path / WEIGHTS)

    def model(self) -> torch.fx.GraphModule:
        """The compiled network with the run's best weights, in eval mode."""
        from engine.compiler import compile_network

        gm = compile_network(self.project.network)
        try:
            gm.load_state_dict(self.weights())
        except RuntimeError as error:
            raise RunDirError(f"The weights in '{self.path}' do not fit its project: {error}") from None
        return gm.eval()


def load_weights(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except FileNotFoundError:
        raise RunDirError(f"Cannot read '{path}': the file does not exist.") from None
    except Exception as error:  # safetensors raises its own error types for damaged files
        raise RunDirError(f"Cannot read '{path}' as safetensors weights: {error}.") from None


def read_run(path: str | os.PathLike) -> Run:
    """Read a run directory written by `layerlab train`."""
    path = Path(path)
    if not (path / PROJECT).is_file():
        raise RunDirError(f"'{path}' is not a LayerLab run directory (no {PROJECT}).")
    project = load_project(path / PROJECT)
    try:
        summary = json.loads((path / SUMMARY).read_text(encoding="utf-8"))
        lines = (path / METRICS).read_text(encoding="utf-8").splitlines() if (path / METRICS).exists() else []
        metrics = [json.loads(line) for line in lines if line.strip()]
    except FileNotFoundError:
        raise RunDirError(f"'{path}' has no {SUMMARY}; the run may not have finished.") from None
    except (OSError, json.JSONDecodeError) as error:
        raise RunDirError(f"Cannot read the run in '{path}': {error}.") from None
    return Run(path, project, summary, metrics)
