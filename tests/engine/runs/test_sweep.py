"""Sweeps with Optuna: each trial an ordinary recorded run, the best one tagged, poor trials
pruned between epochs, a storage that cannot be reached refused at once."""

import json

import pytest

from engine.cli import main
from engine.runs.entry import read_metrics
from engine.runs.index import RunIndex
from engine.runs.space import parse_space
from engine.runs.sweep import SweepError, SweepOptions, run_sweep
from tests.engine.training.helpers import mnist_conv_project, spiral_project

optuna = pytest.importorskip("optuna", reason="sweeps need the optional extra: pip install 'layerlab[sweep]'")


@pytest.fixture(autouse=True)
def no_tensorboard(monkeypatch):
    monkeypatch.setenv("LAYERLAB_TENSORBOARD", "0")  # the sweep, not the event files, is tested here


@pytest.mark.slow  # 7 to 20 s on a shared 2-core CPU (MNIST, six trainings); the spiral tests below are quick
def test_a_random_sweep_records_every_trial_and_marks_the_best(tmp_path):
    project = mnist_conv_project(subset=256)
    space = parse_space({"training.lr": {"log_uniform": [1e-3, 1e-1]}, "fc.units": {"int": [8, 32]}}, project)
    heard = []
    result = run_sweep(project, space, SweepOptions(trials=6, sampler="random", seed=0, study="tiny"), tmp_path,
                       on_trial=heard.append)
    assert [t.number for t in heard] == list(range(6)) and all(t.state == "complete" for t in heard)
    entries = {e.id: e for e in RunIndex(tmp_path).entries(tags={"sweep:tiny"})}
    assert len(entries) == 6 and all(e.status == "complete" for e in entries.values())
    best = [e for e in entries.values() if "best" in e.tags]
    assert len(best) == 1 and best[0].sweep["trial"] == result.best_number
    assert best[0].best["val_accuracy"] == max(t.value for t in heard) == result.best_value
    for trial in heard:
        entry = entries[trial.run_dir.name]
        assert f"trial:{trial.number}" in entry.tags and entry.name == f"tiny #{trial.number}"
        assert entry.settings["training.lr"] == pytest.approx(trial.values["training.lr"])
        assert entry.sweep["params"] == trial.values
    study = optuna.load_study(study_name="tiny", storage=result.storage)
    assert len(study.trials) == 6 and study.best_trial.number == result.best_number


def test_pruning_stops_a_poor_trial_between_epochs(tmp_path):
    project = spiral_project(epochs=6)
    space = parse_space({"training.lr": {"choice": [1e-7]}}, project)  # learns nothing
    options = SweepOptions(trials=1, sampler="random", study="prune", prune=True,
                           pruner=optuna.pruners.ThresholdPruner(lower=0.9))
    result = run_sweep(project, space, options, tmp_path)
    (trial,) = result.trials
    assert trial.state == "pruned" and trial.epochs == 1
    entry = RunIndex(tmp_path).get(trial.run_dir.name)
    assert entry.stop_reason == "pruned" and entry.status == "complete"
    assert len(read_metrics(trial.run_dir)) == 1
    assert result.best_number is None


def test_grid_search_stops_when_the_grid_is_done_and_a_failed_trial_does_not_end_it(tmp_path):
    project = spiral_project(epochs=1, optimizer="sgd")
    space = parse_space({"training.lr": {"choice": [1e38, 0.05]}}, project)  # 1e38: the loss becomes NaN
    result = run_sweep(project, space, SweepOptions(trials=10, sampler="grid", study="grid"), tmp_path)
    states = {t.values["training.lr"]: t.state for t in result.trials}
    assert states == {1e38: "failed", 0.05: "complete"}
    assert result.best is not None and result.best.values["training.lr"] == 0.05
    failed = RunIndex(tmp_path).get(next(t for t in result.trials if t.state == "failed").run_dir.name)
    assert failed.stop_reason == "non_finite_loss" and "best" not in failed.tags


def test_joining_a_study_with_another_space_is_refused(tmp_path):
    project = spiral_project(epochs=1)
    run_sweep(project, parse_space({"training.lr": {"choice": [0.01]}}, project),
              SweepOptions(trials=1, sampler="random", study="s"), tmp_path)
    with pytest.raises(SweepError, match="Use the same space"):
        run_sweep(project, parse_space({"training.lr": {"choice": [0.02]}}, project),
                  SweepOptions(trials=2, sampler="random", study="s"), tmp_path)


def test_the_cli_refuses_an_unreachable_storage_and_an_unknown_setting(tmp_path, capsys):
    project = tmp_path / "p.layerlab"
    spiral_project().save(project)
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"training.lr": {"log_uniform": [1e-3, 1e-1]}}))
    argv = ["sweep", str(project), "--space", str(space), "--trials", "2", "--runs", str(tmp_path / "runs")]
    assert main([*argv, "--storage", "postgresql://me:secret@127.0.0.1:1/db"]) == 2
    err = capsys.readouterr().err
    assert "Cannot use the sweep storage 'postgresql://me:***@127.0.0.1:1/db'" in err and "secret" not in err
    space.write_text(json.dumps({"hidden.unit": {"int": [4, 8]}}))
    assert main(argv) == 2
    assert "Did you mean 'hidden.units'" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").iterdir())


def test_the_cli_runs_a_sweep(tmp_path, capsys):
    project = tmp_path / "p.layerlab"
    spiral_project(epochs=1).save(project)
    space = tmp_path / "space.json"
    space.write_text(json.dumps({"training.lr": {"choice": [0.01, 0.05]}, "hidden.units": {"int": [4, 8]}}))
    assert main(["sweep", str(project), "--space", str(space), "--trials", "2", "--sampler", "tpe", "--seed", "1",
                 "--runs", str(tmp_path / "runs"), "--study", "cli", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["study"] == "cli" and len(out["trials"]) == 2 and out["best_trial"] in (0, 1)
    assert len(RunIndex(tmp_path / "runs").entries(tags={"sweep:cli"})) == 2


def test_a_sweep_stopped_from_outside_ends_its_trial_and_starts_no_other(tmp_path):
    from engine.runs.sweep import SweepControl
    from engine.training import EpochRecord

    project = spiral_project(epochs=5)
    space = parse_space({"training.lr": {"log_uniform": [1e-3, 1e-1]}}, project)
    control = SweepControl()

    def stop_in_the_second_trial(record):
        if isinstance(record, EpochRecord) and record.epoch == 2 and len(seen) == 1:
            control.stop()

    seen = []
    result = run_sweep(project, space, SweepOptions(trials=5, sampler="random", study="stop"), tmp_path,
                       on_trial=seen.append, on_record=stop_in_the_second_trial, control=control)
    assert [t.state for t in result.trials] == ["complete", "failed"] and result.trials[1].epochs == 2
    assert "stopped" in result.trials[1].message and result.best_number == 0
    assert RunIndex(tmp_path).get(result.trials[1].run_dir.name).stop_reason == "stopped"
