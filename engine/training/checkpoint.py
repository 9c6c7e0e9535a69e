"""Checkpoints: model, optimizer, schedule, best weights, position and random states in one file,
written atomically (a crash leaves the previous checkpoint intact)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import torch

from engine.atomic import atomic_write_bytes
from engine.errors import LayerLabError

CHECKPOINT_VERSION = 1


class CheckpointError(LayerLabError):
    """A checkpoint cannot be read or does not fit this network."""


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    torch.save({"checkpoint_version": CHECKPOINT_VERSION, **state}, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read a checkpoint (or the checkpoint.pt of a run directory); no code from the file runs."""
    path = Path(path)
    if path.is_dir():
        path = path / "checkpoint.pt"
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"Cannot resume from '{path}': the file does not exist.") from None
    except Exception as error:  # torch raises many kinds for a damaged file
        raise CheckpointError(f"Cannot resume from '{path}': it is not a LayerLab checkpoint ({error}).") from None
    if not isinstance(state, dict) or state.get("checkpoint_version") != CHECKPOINT_VERSION:
        raise CheckpointError(f"Cannot resume from '{path}': unknown checkpoint format.")
    return state
