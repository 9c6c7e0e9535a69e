"""record.json: every run written by RunRecorder (the window's and `layerlab train`'s) says what
makes it reproducible."""

import json

from engine.run_dir import train_to_directory
from engine.runs.index import RunIndex
from engine.runs.record import RECORD, parse_time
from engine.training import Trainer
from tests.engine.training.helpers import spiral_project


def test_a_run_records_seed_data_versions_times_and_best(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_TENSORBOARD", "0")
    train_to_directory(Trainer(spiral_project(epochs=2, seed=3)), tmp_path / "a", extra={"name": "first"})
    record = json.loads((tmp_path / "a" / RECORD).read_text())
    assert record["seed"] == 3 and record["name"] == "first" and record["stop_reason"] == "completed"
    assert record["device"] == "cpu" and record["epochs"] == 2 and record["params"] == 2 * 16 + 16 + 16 * 2 + 2
    assert record["macs"] > 0
    assert {"python", "torch", "torchvision", "layerlab"} <= set(record["versions"]) and record["versions"]["torch"]
    data = record["data"]
    assert data["source"] == "spiral" and data["split"] == {"train": 128, "val": 32, "test": 40}
    assert len(data["fingerprint"]) == 32
    assert parse_time(record["started"]) <= parse_time(record["ended"])
    assert set(record["best"]) >= {"val_accuracy", "val_loss", "train_loss"}

    train_to_directory(Trainer(spiral_project(epochs=1, seed=4)), tmp_path / "b")  # another training seed
    train_to_directory(Trainer(spiral_project(samples=300, epochs=1)), tmp_path / "c")  # other samples
    fingerprints = {name: json.loads((tmp_path / name / RECORD).read_text())["data"]["fingerprint"]
                    for name in "abc"}
    assert fingerprints["a"] == fingerprints["b"] != fingerprints["c"]

    entry = RunIndex(tmp_path).get("a")
    assert entry.name == "first" and entry.seed == 3 and entry.status == "complete"
    assert entry.best == record["best"] and entry.started == parse_time(record["started"])


def test_a_failed_run_records_why(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_TENSORBOARD", "0")
    end = train_to_directory(Trainer(spiral_project(optimizer="sgd", lr=1e38, epochs=3)), tmp_path / "nan")
    assert type(end).__name__ == "Failed"
    record = json.loads((tmp_path / "nan" / RECORD).read_text())
    assert record["stop_reason"] == "non_finite_loss" and record["message"]
    entry = RunIndex(tmp_path).get("nan")
    assert entry.stop_reason == "non_finite_loss" and entry.problem
