"""One kind of run directory: a run in the window writes what `layerlab train --out` writes
(summary.json, metrics.jsonl, weights.safetensors, checkpoint.pt, project.layerlab) as it goes,
and a run cut short by closing the window stays marked INCOMPLETE."""

from __future__ import annotations

import json

import pytest

from engine.cli import main
from engine.export.source import load_source
from engine.play.snapshots import SNAPSHOTS
from engine.run_dir import CHECKPOINT, INCOMPLETE, METRICS, PROJECT, SUMMARY, WEIGHTS, read_run
from engine.runs.record import RECORD
from tests.gui.conftest import SAMPLES

FILES = {SUMMARY, METRICS, WEIGHTS, CHECKPOINT, PROJECT, RECORD, SNAPSHOTS}


def names(path):
    """The files in a run directory, but TensorBoard's (written when it is installed)."""
    return {p.name for p in path.iterdir() if not p.name.startswith("events.out.tfevents")}
TINY = {"source": "spiral", "samples": 240, "noise": 0.1, "validation_split": 0.25}


def tiny_window(make_window, **training):
    window = make_window(SAMPLES / "spiral_playground.layerlab")
    project = window.document.project
    project.dataset = dict(TINY)
    project.training = {"optimizer": "adam", "lr": 0.02, "batch_size": 32, "epochs": 2, "device": "cpu",
                        **training}
    window.training.probe_every = 0
    return window


@pytest.fixture(autouse=True)
def runs_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_RUNS", str(tmp_path / "runs"))


def test_the_windows_run_directory_is_the_clis(qtbot, make_window, tmp_path):
    window = tiny_window(make_window)
    project_file = tmp_path / "tiny.layerlab"
    project_file.write_text(window.document.project.to_json(), encoding="utf-8")
    window.training.start()
    qtbot.waitUntil(lambda: window.training.controller.state in ("finished", "failed", "stopped"), timeout=60_000)
    assert window.training.controller.state == "finished", window.training.panel.run_box.message.text()
    qtbot.waitUntil(lambda: window.training.last_run_dir is not None, timeout=10_000)
    app_dir = window.training.trained_run_dir()
    assert app_dir is not None and app_dir.parent == tmp_path / "runs"
    assert main(["train", str(project_file), "--out", str(tmp_path / "cli"), "--quiet"]) == 0
    cli_dir = tmp_path / "cli"
    assert names(app_dir) == names(cli_dir) == FILES
    app, cli = read_run(app_dir), read_run(cli_dir)
    assert app.complete and cli.complete
    assert set(app.summary) == set(cli.summary) and set(app.summary["final"]) == set(cli.summary["final"])
    for key in ("epochs_run", "steps", "best_epoch", "best_step", "stopped_reason", "dataset", "training", "seed"):
        assert app.summary[key] == cli.summary[key], key
    assert app.summary["final"]["test_loss"] == pytest.approx(cli.summary["final"]["test_loss"], rel=1e-4)
    assert [set(row) for row in app.metrics] == [set(row) for row in cli.metrics] and len(app.metrics) == 2
    assert app.project.to_dict() == cli.project.to_dict()
    assert load_source(app_dir).run_dir == app_dir  # File > Export reads it


def test_a_run_closed_with_the_window_stays_marked_incomplete(qtbot, make_window, tmp_path):
    window = tiny_window(make_window, epochs=500, batch_size=8)
    window.training.start()
    qtbot.waitUntil(lambda: window.training.panel.progress.step > 0, timeout=30_000)
    run_dir = window.training.controller.run_dir
    window.close()
    assert window.training.controller.worker.finished.is_set()
    assert INCOMPLETE in {p.name for p in run_dir.iterdir()}
    assert "aborted" in (run_dir / INCOMPLETE).read_text()
    assert json.loads((run_dir / SUMMARY).read_text())["stopped_reason"] == "aborted"
    assert window.training.last_run_dir is None


def test_each_run_gets_its_own_directory(qtbot, make_window, tmp_path):
    window = tiny_window(make_window, epochs=1)
    folders = []
    for _ in range(2):
        window.training.start()
        qtbot.waitUntil(lambda: window.training.controller.state == "finished", timeout=60_000)
        qtbot.waitUntil(lambda: window.training.last_run_dir not in (None, *folders), timeout=10_000)
        folders.append(window.training.trained_run_dir())
    assert folders[0] != folders[1] and all(read_run(folder).complete for folder in folders)
    assert folders[0].name.startswith("spiral_playground-")
