"""The trainer: record protocol, reproducibility, control, early stopping, faults, optimizers."""

import threading
import time

import numpy as np
import pytest
import torch

from engine.builder import NetworkBuilder
from engine.data.schema import SettingsError
from engine.project import Project
from engine.training import (
    EpochRecord,
    EvalRecord,
    Failed,
    Finished,
    Paused,
    ProbeRecord,
    Started,
    StepRecord,
    Stopped,
    Trainer,
)
from engine.training.setup import TrainingError
from tests.engine.training.helpers import mnist_conv_project, run_all, spiral_project


def wait_for(condition, what: str, timeout: float = 30.0) -> None:
    """Poll `condition` until it holds; fail (instead of hanging) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout:g} s")
        time.sleep(0.001)


def kinds(records):
    return [type(r).__name__ for r in records]


def test_a_run_yields_started_steps_epochs_evaluations_and_finished():
    records = run_all(Trainer(spiral_project(epochs=2, log_every=2)))
    assert isinstance(records[0], Started) and records[0].steps_per_epoch == 4 and records[0].train_samples == 128
    assert isinstance(records[-1], Finished) and records[-1].reason == "completed"
    epochs = [r for r in records if isinstance(r, EpochRecord)]
    assert [e.epoch for e in epochs] == [1, 2] and epochs[-1].step == 8
    assert all(0 <= e.train_accuracy <= 1 and e.val_loss is not None for e in epochs)
    steps = [r.step for r in records if isinstance(r, StepRecord)]
    assert steps[0] == 1 and {2, 4, 6, 8} <= set(steps) and steps == sorted(set(steps))  # step 1, every log_every
    final = {r.split for r in records if isinstance(r, EvalRecord) and r.final}
    assert final == {"train", "val", "test"}
    summary = records[-1].summary
    assert set(summary["final"]) == {"train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss",
                                     "test_accuracy"}
    assert summary["epochs_run"] == 2 and summary["train_seconds"] <= summary["wall_seconds"]


def test_the_same_seed_gives_the_same_weights():
    def weights(seed):
        trainer = Trainer(mnist_conv_project(seed=seed))
        run_all(trainer)
        return [t.clone() for t in trainer.model.state_dict().values()]
    a, b, c = weights(1), weights(1), weights(2)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not all(torch.equal(x, y) for x, y in zip(a, c))




def test_single_steps_while_paused_report_each_step():
    trainer = Trainer(spiral_project(epochs=50, log_every=1000))
    run = trainer.run()
    next(run)
    trainer.pause()
    assert isinstance(next(run), Paused)
    trainer.step_once()
    step = next(run)
    assert isinstance(step, StepRecord) and step.step == 1
    trainer.step_once()
    assert next(run).step == 2
    trainer.set_lr(0.5)
    trainer.resume()
    record = next(r for r in run if isinstance(r, EpochRecord))
    assert record.lr == 0.5
    trainer.stop()
    assert isinstance(list(run)[-1], Stopped)


def test_control_from_another_thread_while_the_run_blocks_in_pause():
    trainer = Trainer(spiral_project(epochs=10_000, log_every=1))
    seen = []

    def consume():
        for record in trainer.run():
            seen.append(record)

    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    try:
        wait_for(lambda: any(isinstance(r, StepRecord) for r in seen), "a step record")
        trainer.pause()
        wait_for(lambda: any(isinstance(r, Paused) for r in seen), "the Paused record")
    except AssertionError:
        trainer.abort()
        raise
    count = len(seen)
    worker.join(0.3)
    assert worker.is_alive() and len(seen) == count  # blocked, not spinning
    trainer.stop()
    worker.join(10)
    assert not worker.is_alive() and isinstance(seen[-1], Stopped)


def test_early_stopping_restores_the_best_weights_and_reports_the_best_step():
    trainer = Trainer(spiral_project(epochs=200, eval_every=5, early_stopping=True, patience=3, min_delta=10.0))
    records = run_all(trainer)
    end = records[-1]
    assert isinstance(end, Finished) and end.reason == "early_stopping"
    evals = [r for r in records if isinstance(r, EvalRecord) and not r.final]
    assert len(evals) == 4 and evals[0].is_best and end.best_step == 5
    final_val = next(r for r in records if isinstance(r, EvalRecord) and r.final and r.split == "val")
    assert final_val.loss == pytest.approx(evals[0].loss, rel=1e-5)


def test_early_stopping_needs_a_validation_split():
    project = spiral_project(early_stopping=True)
    project.dataset["validation_split"] = 0.0
    with pytest.raises(SettingsError, match="needs a validation split: set dataset.validation_split"):
        Trainer(project)


def regression_project(tmp_path, **training):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    np.savez(tmp_path / "line.npz", X=x, y=x.sum(1, keepdims=True))
    b = NetworkBuilder()
    b.add("Output", b.add("Dense", b.add("Input", shape=[2]), units=1), loss="mse")
    return Project(b.finish(), dataset={"source": "npz", "path": str(tmp_path / "line.npz"), "task": "regression"},
                   training={"optimizer": "sgd", "lr": 0.05, "batch_size": 16, "epochs": 5, **training})


def test_regression_on_npz_learns_a_line(tmp_path):
    end = run_all(Trainer(regression_project(tmp_path, epochs=40)))[-1]
    assert end.summary["final"]["test_loss"] < 0.01 and "test_accuracy" not in end.summary["final"]


def test_nan_loss_stops_within_one_step_and_keeps_finite_weights(tmp_path):
    trainer = Trainer(regression_project(tmp_path, lr=1e6, log_every=1))
    records = run_all(trainer)
    end = records[-1]
    assert isinstance(end, Failed) and "NaN or infinite at step" in end.message and "training.lr" in end.message
    bad_step = int(end.message.split("at step ")[1].split(" ")[0])
    steps = [r.step for r in records if isinstance(r, StepRecord)]
    assert steps == list(range(1, bad_step)) and end.summary["stopped_reason"] == "non_finite_loss"
    assert all(torch.isfinite(t).all() for t in trainer.model.state_dict().values())


def test_invalid_graph_is_refused_before_training():
    b = NetworkBuilder()
    x = b.add("Input", shape=[2])
    b.add("Dense", x, units=3)  # no Output
    with pytest.raises(TrainingError, match="no Output layer"):
        Trainer(Project(b.finish(), dataset={"source": "spiral"}))


def test_network_that_does_not_fit_the_data_fails_before_the_first_step():
    project = mnist_conv_project()
    records = run_all(Trainer(project, dataset_settings={"source": "spiral", "samples": 50}))
    assert kinds(records) == ["Failed"] and "Conv2d" in records[0].message


def blobs_project(**training) -> Project:
    """Two Gaussian clusters: an easy problem on which every optimizer lowers the loss in two epochs."""
    project = spiral_project(**{"epochs": 2, **training})
    project.dataset["source"] = "blobs"
    return project


def untrained_loss(project: Project) -> float:
    """The training-set loss of the project's initial weights: a run stopped before its first step."""
    trainer = Trainer(project)
    run = trainer.run()
    assert isinstance(next(run), Started)
    trainer.stop()
    records = list(run)
    assert isinstance(records[-1], Stopped) and not any(isinstance(r, StepRecord) for r in records)
    return records[-1].summary["final"]["train_loss"]


@pytest.mark.parametrize("training", [
    {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True, "schedule": "step", "step_size": 1},
    {"optimizer": "adam", "schedule": "cosine", "l1": 1e-4, "weight_decay": 1e-4},
    {"optimizer": "adamw", "schedule": "invscaling", "grad_clip": 1.0},
    {"optimizer": "rmsprop", "momentum": 0.5, "schedule": "plateau"},
    {"optimizer": "adagrad", "schedule": "adaptive"},
    {"optimizer": "lbfgs", "lr": 0.5, "batch_size": 0, "weight_decay": 1e-3, "l1": 1e-4},
    {"optimizer": "sgd", "batch_size": 1, "epochs": 1},
])
def test_every_optimizer_and_schedule_lowers_the_loss(training):
    before = untrained_loss(blobs_project(**training))  # the same seed: the same initial weights
    end = run_all(Trainer(blobs_project(**training)))[-1]
    assert isinstance(end, Finished) and end.reason == "completed", getattr(end, "message", "")
    after = end.summary["final"]["train_loss"]
    assert after < 0.75 * before, f"train loss {before:.4f} -> {after:.4f}"


def test_schedules_change_the_learning_rate_as_documented():
    def lrs(**training):
        return [r.lr for r in run_all(Trainer(spiral_project(epochs=3, lr=0.1, **training)))
                if isinstance(r, EpochRecord)]
    assert lrs(schedule="step", step_size=1, gamma=0.5) == pytest.approx([0.05, 0.025, 0.0125])
    n = 128
    assert lrs(schedule="invscaling", power_t=0.5) == pytest.approx([0.1 / (e * n + 1) ** 0.5 for e in (1, 2, 3)])
    assert lrs(schedule="cosine")[-1] == pytest.approx(0.0, abs=1e-9)
    assert lrs() == [0.1, 0.1, 0.1]


def test_label_smoothing_on_the_output_raises_the_loss_floor():
    plain = Trainer(spiral_project(epochs=1))
    smooth_project = spiral_project(epochs=1)
    (out,) = smooth_project.network.nodes_of_type("Output")
    smooth_project.network.set_param(out, "label_smoothing", 0.5)
    smooth = Trainer(smooth_project)
    a, b = run_all(plain)[-1].summary["final"], run_all(smooth)[-1].summary["final"]
    assert b["train_loss"] > a["train_loss"]


def test_probes_are_off_by_default_and_carry_numpy_arrays_when_on():
    assert not any(isinstance(r, ProbeRecord) for r in run_all(Trainer(mnist_conv_project())))
    records = run_all(Trainer(mnist_conv_project(probe_every=2, probe_samples=3)))
    probes = [r for r in records if isinstance(r, ProbeRecord)]
    assert [p.step for p in probes] == [2]
    probe = probes[0]
    net = mnist_conv_project().network
    names = {net.name_of(n): n for n in net.node_ids}
    assert probe.activations[names["conv"]].shape == (3, 4, 12, 12)
    assert probe.inputs.shape == (3, 1, 28, 28) and probe.outputs.shape == (3, 10)
    layers = {names[k] for k in ("conv", "bn", "fc", "scores")}
    assert set(probe.grad_norm) == layers and all(v > 0 for v in probe.grad_norm.values())
    assert set(probe.weights) == {names["conv"], names["fc"]} and probe.weights[names["conv"]].shape == (4, 1, 5, 5)
    counts, edges = probe.weight_histograms[names["fc"]]
    assert counts.sum() == 16 * 4 * 12 * 12 and len(edges) == len(counts) + 1
    assert isinstance(probe.grad_histograms[names["scores"]][0], np.ndarray)


def test_a_probe_can_be_requested_while_paused():
    trainer = Trainer(mnist_conv_project(epochs=3))
    run = trainer.run()
    next(run)
    trainer.pause()
    assert isinstance(next(run), Paused)
    trainer.request_probe()
    probe = next(run)
    assert isinstance(probe, ProbeRecord) and probe.step == 0
    trainer.stop()
    assert isinstance(list(run)[-1], Stopped)
