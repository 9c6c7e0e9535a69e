"""Weight snapshots across training, for the Play panel's replay slider.

    RUN_DIR/snapshots/epoch-0000.safetensors   the weights before the first step
    RUN_DIR/snapshots/epoch-0003.safetensors   the weights at the end of epoch 3

Written by engine.run_dir.RunRecorder (on the compute thread, at the start and at each epoch end)
every `training.snapshot_every` epochs. Keys are the compiled GraphModule's state_dict keys, as in
weights.safetensors. Imports torch only when writing or loading."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from engine.atomic import atomic_write_bytes
from engine.errors import LayerLabError

if TYPE_CHECKING:
    import torch
    from torch import fx

    from engine.project import Project

SNAPSHOTS = "snapshots"
PATTERN = re.compile(r"^epoch-(\d+)\.safetensors$")
LARGE_MODEL = 5_000_000
"""Parameters above which a run keeps no snapshots unless the project sets training.snapshot_every."""


class SnapshotError(LayerLabError):
    """A snapshot cannot be read."""


def snapshot_name(epoch: int) -> str:
    return f"epoch-{epoch:04d}.safetensors"


def snapshots_due(every: int, explicit: bool, parameters: int) -> int:
    """The snapshot interval a run uses: `every` (0: off), but 0 for a model over LARGE_MODEL
    parameters when the interval is only the default (not set in the project)."""
    if every <= 0 or (parameters > LARGE_MODEL and not explicit):
        return 0
    return every


def write_snapshot(run_dir: str | os.PathLike, epoch: int, state_dict: dict[str, torch.Tensor]) -> Path:
    """Write the weights as RUN_DIR/snapshots/epoch-NNNN.safetensors (atomically); returns the path."""
    from safetensors.torch import save

    folder = Path(run_dir) / SNAPSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in state_dict.items()}
    path = folder / snapshot_name(epoch)
    atomic_write_bytes(path, save(tensors))
    return path


def list_snapshots(run_dir: str | os.PathLike) -> list[tuple[int, Path]]:
    """(epoch, path) of every snapshot in the run directory, by epoch (empty when there are none)."""
    folder = Path(run_dir) / SNAPSHOTS
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := PATTERN.match(p.name)) and p.is_file()]
    return sorted(found)


def load_snapshot(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The weights in one snapshot file (load them with model.load_state_dict)."""
    from engine.run_dir import RunDirError, load_weights  # run_dir writes the snapshots with this module

    try:
        return load_weights(path)
    except RunDirError as error:
        raise SnapshotError(f"A snapshot of the run: {error}") from None


def snapshot_model(project: Project, path: str | os.PathLike) -> fx.GraphModule:
    """A fresh compiled model of the project's network (the run's project.layerlab) with a
    snapshot's weights, in eval mode: for replaying training without touching the live model."""
    from engine.compiler import compile_network

    model = compile_network(project.network)
    try:
        from engine.run_dir import keyed_for

        model.load_state_dict(keyed_for(model, load_snapshot(path)))
    except RuntimeError as error:
        raise SnapshotError(f"The snapshot '{path}' does not fit the network: {error}") from None
    return model.eval()
