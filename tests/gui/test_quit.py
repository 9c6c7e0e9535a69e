"""Closing the window while training ends the process promptly and cleanly, even on a busy CPU:
a real process (tests/gui/quit_during_training.py) beside a CPU-bound one."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.gui.conftest import ROOT, SAMPLES

DRIVER = ROOT / "tests" / "gui" / "quit_during_training.py"
QUIT_SECONDS = 2.0
OUTER_DEADLINE = 180


@pytest.mark.parametrize("after_first_step", [1, 0], ids=["while-training", "while-preparing"])
def test_closing_during_training_ends_the_process_within_two_seconds(tmp_path, after_first_step) -> None:
    """1: a second after the first step arrived (the trainer aborts between batches); 0: at once,
    while the run is still loading its data (the process ends without waiting for it)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LAYERLAB_", "XDG_"))}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), LAYERLAB_RUNS=str(tmp_path / "runs"))
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        app = subprocess.Popen([sys.executable, str(DRIVER), str(SAMPLES / "lenet5.layerlab"),
                                str(after_first_step)], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = app.communicate(timeout=OUTER_DEADLINE)
        except subprocess.TimeoutExpired:
            app.kill()
            out, err = app.communicate(timeout=30)
            pytest.fail(f"the app did not end within {OUTER_DEADLINE} s; stdout:\n{out}\nstderr:\n{err[-3000:]}")
        ended = time.monotonic()
    finally:
        busy.kill()
        busy.wait(timeout=30)
    assert "driver:" not in out and "close-requested" in out, f"stdout:\n{out}\nstderr:\n{err[-3000:]}"
    if after_first_step:
        assert "training-started" in out
    line = next(line for line in out.splitlines() if line.startswith("close-requested "))
    closed = float(line.split("monotonic=")[1])
    assert app.returncode == 0, err[-3000:]
    assert "QThread: Destroyed" not in err and "Abort" not in err, err[-3000:]
    assert ended - closed < QUIT_SECONDS, f"the process took {ended - closed:.2f} s to end after the close request"
    for run in (tmp_path / "runs").glob("*"):  # complete, or marked as cut short
        names = {p.name for p in run.iterdir()}
        assert "INCOMPLETE" in names or {"project.layerlab", "weights.safetensors"} <= names, names
