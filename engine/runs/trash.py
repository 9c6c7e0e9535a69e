"""Deleting runs without losing them: a run directory moves to RUNS/.trash/<time>/<its name>, from
where `restore_from_trash` puts it back (the window's Undo); emptying the trash is left to the person."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from engine.errors import LayerLabError
from engine.runs.folder import TRASH


class TrashError(LayerLabError):
    """A run cannot be moved to the trash or back."""


def move_to_trash(run_dir: str | Path) -> Path:
    """Move `run_dir` into the trash folder beside it; returns where it went."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise TrashError(f"There is no run directory '{run_dir}'.")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    slot, number = run_dir.parent / TRASH / stamp, 1
    while (slot / run_dir.name).exists():
        number += 1
        slot = run_dir.parent / TRASH / f"{stamp}-{number}"
    slot.mkdir(parents=True, exist_ok=True)
    target = slot / run_dir.name
    shutil.move(str(run_dir), str(target))
    return target


def restore_from_trash(trash_path: str | Path) -> Path:
    """Put a trashed run back into its runs folder under its old name; returns its path."""
    trash_path = Path(trash_path)
    if not trash_path.is_dir() or trash_path.parent.parent.name != TRASH:
        raise TrashError(f"'{trash_path}' is not a run in the trash (emptied, or restored already).")
    target = trash_path.parent.parent.parent / trash_path.name
    if target.exists():
        raise TrashError(f"Cannot restore '{trash_path.name}': '{target}' exists.")
    shutil.move(str(trash_path), str(target))
    try:
        trash_path.parent.rmdir()
    except OSError:
        pass
    return target
