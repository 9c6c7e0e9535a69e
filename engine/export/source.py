"""What an export starts from: a project plus weights (trained ones from a run directory, or
fresh seeded ones), compiled into an eval-mode model, with example and probe batches."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import fx

from engine.compiler import compile_network
from engine.errors import LayerLabError
from engine.graph import python_name
from engine.importers.weights import load_weights_file
from engine.project import EXTENSION, Project, load_project
from engine.run_dir import INCOMPLETE, SUMMARY
from engine.shapes import infer_shapes

RUN_PROJECT = "project.layerlab"
RUN_WEIGHTS = "weights.safetensors"
RUN_INCOMPLETE = INCOMPLETE  # one name for the marker, whoever writes the run directory
"""Present while a run directory is being written; left behind only if the writing was cut short."""


class SourceError(LayerLabError):
    """The thing to export cannot be read."""


@dataclass
class ExportSource:
    """A compiled model ready to export. `model` is in eval mode and must not be changed."""

    project: Project
    model: fx.GraphModule
    input_shape: tuple[int, ...]
    input_name: str
    run_dir: Path | None = None
    seed: int = 0

    def example(self, batch: int = 2) -> torch.Tensor:
        """The batch exports are traced with."""
        return self._batch(batch, self.seed)

    def probe(self, batch: int = 3) -> torch.Tensor:
        """The batch exports are checked with (another size and other values than the example)."""
        return self._batch(batch, self.seed + 1)

    def fresh_model(self) -> fx.GraphModule:
        """A newly compiled copy of the network (random weights), e.g. to load a state dict into."""
        model = compile_network(self.project.network)
        return model.eval()

    def state_dict(self) -> dict[str, torch.Tensor]:
        """The weights as contiguous CPU tensors, keyed like the compiled model's state dict."""
        return {k: v.detach().cpu().contiguous().clone() for k, v in self.model.state_dict().items()}

    def _batch(self, batch: int, seed: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(seed)
        return torch.randn((batch, *self.input_shape), generator=generator)


def source_from_project(project: Project, weights: str | os.PathLike | None = None, seed: int = 0,
                        run_dir: Path | None = None) -> ExportSource:
    """Compile `project`; load `weights` (every tensor must fit) or initialise from `seed`."""
    analysis = infer_shapes(project.network)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = compile_network(project.network, analysis)
    if weights is not None:
        load_weights_file(model, weights, require_complete=True)
    model.eval()
    (input_id,) = project.network.nodes_with_role("input")
    shape = analysis.nodes[input_id].output_shape
    assert shape is not None
    name = python_name(project.network.name_of(input_id))
    return ExportSource(project, model, tuple(shape), name, run_dir, seed)


def load_source(path: str | os.PathLike, seed: int = 0) -> ExportSource:
    """A run directory (project.layerlab + weights.safetensors) or a `.layerlab` project file."""
    path = Path(path)
    if path.is_dir():
        project_file, weights = path / RUN_PROJECT, path / RUN_WEIGHTS
        missing = [p.name for p in (project_file, weights) if not p.is_file()]
        if missing:
            raise SourceError(f"'{path}' is not a run directory: it lacks {' and '.join(missing)}. "
                              f"Give a run directory from training or a {EXTENSION} project.")
        return source_from_project(load_project(project_file), weights, seed, run_dir=path)
    if path.suffix == EXTENSION or path.is_file():
        return source_from_project(load_project(path), None, seed)
    raise SourceError(f"Cannot export '{path}': it does not exist. Give a run directory or a "
                      f"{EXTENSION} project.")


def save_run_dir(project: Project, tensors: dict[str, torch.Tensor], directory: str | os.PathLike,
                 origin: str = "weights loaded into the network") -> Path:
    """Write a run directory of weights that were not trained here (an import, a weights file):
    project.layerlab, weights.safetensors and a summary.json saying where they came from (`origin`;
    stopped_reason 'imported'), each file atomically, so it opens, plays, exports and lists in the
    Runs panel as any run. An INCOMPLETE file marks the directory until all are in place (the app
    may be closed meanwhile)."""
    from safetensors.torch import save as to_bytes

    from engine.atomic import atomic_write_bytes, atomic_write_text

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / RUN_INCOMPLETE
    marker.write_text("This run directory was still being written when LayerLab stopped; its files may be "
                      "missing or stale.\n", encoding="utf-8")
    data = to_bytes({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, metadata={"producer": "LayerLab"})
    atomic_write_bytes(directory / RUN_WEIGHTS, data)
    project.save(directory / RUN_PROJECT)
    summary = {"stopped_reason": "imported", "origin": origin,
               "parameters": infer_shapes(project.network).total_params}
    atomic_write_text(directory / SUMMARY, json.dumps(summary, indent=2))
    marker.unlink()
    return directory
