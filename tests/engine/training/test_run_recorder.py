"""The run directory is written as the run goes (RunRecorder, shared by the CLI and the app):
complete at the end, marked INCOMPLETE while running, when aborted or when cut short."""

import json

import pytest

from engine.play.snapshots import SNAPSHOTS
from engine.run_dir import (
    CHECKPOINT,
    INCOMPLETE,
    METRICS,
    PROJECT,
    SUMMARY,
    WEIGHTS,
    RunRecorder,
    read_run,
    train_to_directory,
)
from engine.runs.record import RECORD
from engine.training import EpochRecord, StepRecord, Trainer
from tests.engine.training.helpers import spiral_project

ALL_FILES = {SUMMARY, METRICS, WEIGHTS, CHECKPOINT, PROJECT, RECORD, SNAPSHOTS}


def names(path):
    """The files in a run directory, but TensorBoard's (written when it is installed)."""
    return {p.name for p in path.iterdir() if not p.name.startswith("events.out.tfevents")}


def test_a_finished_run_is_complete_and_marked_while_it_runs(tmp_path):
    trainer = Trainer(spiral_project(epochs=2, checkpoint_every=1))
    seen = {}

    def look(record):
        if isinstance(record, (StepRecord, EpochRecord)):
            seen.setdefault(type(record).__name__, names(tmp_path / "run"))

    train_to_directory(trainer, tmp_path / "run", look)
    assert INCOMPLETE in seen["StepRecord"] and PROJECT in seen["StepRecord"]
    assert names(tmp_path / "run") == ALL_FILES
    assert read_run(tmp_path / "run").complete


def test_a_run_cut_short_stays_marked(tmp_path):
    trainer = Trainer(spiral_project(epochs=50))
    recorder = RunRecorder(trainer, tmp_path / "run")
    with pytest.raises(KeyboardInterrupt):
        for record in trainer.run():
            recorder(record)
            if isinstance(record, EpochRecord):
                raise KeyboardInterrupt  # as if the process ended here
    assert {INCOMPLETE, PROJECT, METRICS} <= names(tmp_path / "run")
    assert "still being written" in (tmp_path / "run" / INCOMPLETE).read_text()


def test_an_aborted_run_keeps_its_weights_and_summary_but_stays_marked(tmp_path):
    trainer = Trainer(spiral_project(epochs=50, log_every=1))
    recorder = RunRecorder(trainer, tmp_path / "run")
    for record in trainer.run():
        recorder(record)
        if isinstance(record, StepRecord) and record.step == 3:
            trainer.abort()
    assert {INCOMPLETE, PROJECT, WEIGHTS, SUMMARY} <= names(tmp_path / "run") and not recorder.complete
    assert "aborted" in (tmp_path / "run" / INCOMPLETE).read_text()
    assert json.loads((tmp_path / "run" / SUMMARY).read_text())["stopped_reason"] == "aborted"
    assert not read_run(tmp_path / "run").complete


def test_a_run_that_cannot_start_writes_nothing(tmp_path):
    project = spiral_project()
    project.network.set_param(project.network.find("scores"), "units", 3)  # 2 classes in the data
    end = train_to_directory(Trainer(project), tmp_path / "run")
    assert type(end).__name__ == "Failed" and not (tmp_path / "run").exists()


def test_the_recorder_sets_the_trainers_checkpoint_path(tmp_path):
    trainer = Trainer(spiral_project())
    RunRecorder(trainer, tmp_path / "run")
    assert trainer.checkpoint_path == tmp_path / "run" / CHECKPOINT
