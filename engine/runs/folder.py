"""Where runs go when no folder is named: $LAYERLAB_RUNS, else ./runs (what `layerlab train` uses).
The window uses $LAYERLAB_RUNS too, else its data folder (gui.training.controller.runs_folder)."""

from __future__ import annotations

import os
from pathlib import Path

TRASH = ".trash"
INDEX_FILE = ".runs-index.sqlite3"
SWEEP_STORAGE = "sweeps.sqlite3"


def default_runs_folder() -> Path:
    return Path(os.environ["LAYERLAB_RUNS"]) if os.environ.get("LAYERLAB_RUNS") else Path("runs")


def run_dirs(folder: str | Path) -> list[Path]:
    """The run directories in a runs folder: its subfolders, except hidden ones (.trash)."""
    try:
        with os.scandir(folder) as found:
            return sorted(Path(e.path) for e in found if not e.name.startswith(".") and e.is_dir())
    except FileNotFoundError:
        return []
