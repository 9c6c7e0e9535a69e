"""Run a Trainer to the end and write its run directory (the CLI and scripts use this). The
writing itself lives in engine.run_dir (RunRecorder), shared with the app."""

from __future__ import annotations

from engine.run_dir import train_to_directory, trained_project

__all__ = ["train_to_directory", "trained_project"]
