"""Shared fixtures for export and import tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.export import load_source

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = sorted((ROOT / "sample_projects").glob("*.layerlab"))

# Runs a file as __main__ in a fresh interpreter that cannot import LayerLab: isolated mode (-I: no
# PYTHONPATH, no user site, no script directory), and an import hook refusing `engine` and `gui`
# (the editable install would otherwise make them importable from anywhere).
_NO_LAYERLAB = r"""
import importlib.abc, runpy, sys
class NoLayerLab(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("engine", "gui"):
            raise ImportError(f"the exported file tried to import LayerLab ({name})")
        return None
sys.meta_path.insert(0, NoLayerLab())
script, *args = sys.argv[1:]
sys.argv = [script, *args]
runpy.run_path(script, run_name="__main__")
"""


def run_without_layerlab(script: Path, *args: str, cwd: Path, timeout: float = 300,
                         launcher: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run `script` with `args` (optionally under a launcher such as torchrun) without LayerLab."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env["OMP_NUM_THREADS"] = "1"
    guard = cwd / "_no_layerlab.py"
    guard.write_text(_NO_LAYERLAB)
    command = (launcher or [sys.executable, "-I"]) + [str(guard), str(script), *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def sources():
    """Every sample project, compiled once with seeded fresh weights."""
    return {path.stem: load_source(path) for path in SAMPLES}
