"""Shared test setup: headless Qt, quiet torch threads, and the repository root."""

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "sample_projects").glob("*.layerlab"))
