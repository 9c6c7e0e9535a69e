"""Run directories, checkpoints and resume, the train/gradcheck/datasets commands, DataLoader paths."""

import json
import subprocess
import sys

import pytest
import torch

from engine.cli import main
from engine.compiler import compile_network
from engine.run_dir import read_run
from engine.training import Finished, Stopped, Trainer
from engine.training.checkpoint import load_checkpoint
from engine.training.gradcheck import gradient_check
from engine.training.headless import train_to_directory
from tests.conftest import ROOT
from tests.engine.data.test_sources import make_image_folder
from tests.engine.training.helpers import mnist_conv_project, run_all, spiral_project

SUMMARY_KEYS = {"epochs_run", "best_epoch", "train_seconds", "wall_seconds", "samples_per_second", "device",
                "stopped_reason", "final"}


def test_run_directory_holds_summary_metrics_best_weights_checkpoint_and_project(tmp_path):
    trainer = Trainer(mnist_conv_project(epochs=2))
    end = train_to_directory(trainer, tmp_path / "run")
    assert isinstance(end, Finished)
    run = read_run(tmp_path / "run")
    assert set(run.summary) >= SUMMARY_KEYS and run.summary["device"] == "cpu"
    assert set(run.summary["final"]) == {f"{s}_{m}" for s in ("train", "val", "test") for m in ("loss", "accuracy")}
    assert [m["epoch"] for m in run.metrics] == [1, 2] and "val_accuracy" in run.metrics[0]
    weights = run.weights()
    assert sorted(weights) == sorted(compile_network(run.project.network).state_dict())
    assert all(torch.equal(weights[k], v) for k, v in trainer.model.state_dict().items())
    model = run.model()
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert load_checkpoint(tmp_path / "run")["epoch"] == 2


def test_resuming_from_a_checkpoint_matches_an_uninterrupted_run(tmp_path):
    whole = Trainer(mnist_conv_project(epochs=2, seed=4))
    run_all(whole)
    first = Trainer(mnist_conv_project(epochs=1, seed=4), checkpoint_path=tmp_path / "c.pt")
    run_all(first)
    second = Trainer(mnist_conv_project(epochs=2, seed=4), resume_from=tmp_path / "c.pt")
    records = run_all(second)
    assert records[0].start_epoch == 1 and records[-1].summary["epochs_run"] == 2
    for key, value in whole.model.state_dict().items():
        assert torch.allclose(second.model.state_dict()[key], value, atol=1e-6), key


def test_a_resumed_run_stopped_at_once_keeps_the_resumed_weights(tmp_path):
    """Without evaluations a run ends with the weights of its last epoch end; before a resumed run
    finishes one, those are the weights it resumed with (they were the fresh, untrained ones)."""
    def project(epochs: int):
        p = spiral_project(epochs=epochs)
        p.dataset = {**p.dataset, "validation_split": 0.0}
        return p

    first = Trainer(project(1), checkpoint_path=tmp_path / "c.pt")
    run_all(first)
    second = Trainer(project(2), resume_from=tmp_path / "c.pt")
    second.stop()
    assert isinstance(run_all(second)[-1], Stopped)
    for key, value in first.model.state_dict().items():
        assert torch.equal(second.model.state_dict()[key], value), key


def test_image_folder_and_augmentation_train_through_a_dataloader(tmp_path):
    root = make_image_folder(tmp_path / "pets", per_class=8, size=(28, 28))
    project = mnist_conv_project(epochs=1, batch_size=4)
    project.dataset = {"source": "image_folder", "path": str(root), "grayscale": True, "validation_split": 0.25}
    project.network.set_param(project.network.find("scores"), "units", 2)
    end = run_all(Trainer(project))[-1]
    assert isinstance(end, Finished), getattr(end, "message", "")
    assert end.summary["final"]["test_accuracy"] is not None
    augmented = mnist_conv_project(epochs=1)
    augmented.dataset["augment"] = {"rotate": 10, "translate": 0.1, "noise": 0.05}
    assert isinstance(run_all(Trainer(augmented))[-1], Finished)


def test_gradient_check_passes_for_samples_and_catches_a_wrong_backward():
    from engine.project import load_project

    project = load_project(ROOT / "sample_projects" / "lenet5.layerlab")
    results = gradient_check(project, entries=5)
    assert len(results) == 10 and max(r.max_relative_error for r in results) < 1e-5

    class WrongReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp_min(0)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * (x > 0) * 1.5

    class Wrong(torch.nn.Module):
        def forward(self, x):
            return WrongReLU.apply(x)

    model = compile_network(project.network)
    model.relu3 = Wrong()
    bad = {r.name: r.max_relative_error for r in gradient_check(project, entries=5, model=model)}
    assert bad["f5.weight"] > 0.1 and bad["f7.weight"] < 1e-5


def test_cli_train_writes_the_run_and_reports(tmp_path, capsys):
    project = tmp_path / "spiral.layerlab"
    spiral_project().save(project)
    code = main(["train", str(project), "--epochs", "2", "--seed", "3", "--device", "cpu", "--out",
                 str(tmp_path / "run"), "--set", "training.lr=0.05", "--set", "dataset.samples=120"])
    assert code == 0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["epochs_run"] == 2 and summary["seed"] == 3 and summary["training"]["lr"] == 0.05
    assert "77 train / 19 validation / 24 test" in summary["dataset"]
    assert "run directory" in capsys.readouterr().out
    assert main(["train", str(project), "--out", str(tmp_path / "run"), "--resume", str(tmp_path / "run"),
                 "--epochs", "3", "--quiet"]) == 0
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["epochs_run"] == 3


@pytest.mark.parametrize("args, message", [
    (["--set", "training.learning=1"], "Unknown setting 'training.learning'"),
    (["--epochs", "0"], "'training.epochs' must be at least 1"),
    (["--set", "lr=1"], "section.key=value"),
    (["--set", "dataset.source=nothing"], "must be one of"),
])
def test_cli_train_bad_arguments_exit_2_with_a_message(tmp_path, capsys, args, message):
    project = tmp_path / "spiral.layerlab"
    spiral_project().save(project)
    assert main(["train", str(project), "--out", str(tmp_path / "r"), *args]) == 2
    assert message in capsys.readouterr().err


def test_cli_gradcheck_and_datasets(capsys):
    assert main(["gradcheck", str(ROOT / "sample_projects" / "spiral_playground.layerlab"), "--entries", "3"]) == 0
    out = capsys.readouterr().out
    assert "max rel error" in out and out.strip().splitlines()[-1].startswith("ok")
    assert main(["datasets", "--json"]) == 0
    names = [row["source"] for row in json.loads(capsys.readouterr().out)]
    assert {"mnist", "spiral", "one_hot_8", "torchvision", "image_folder", "csv", "npz"} <= set(names)


def test_torchrun_two_cpu_processes_train_with_ddp(tmp_path):
    project = tmp_path / "spiral.layerlab"
    spiral_project(epochs=2).save(project)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               "-m", "engine", "train", str(project), "--device", "cpu", "--out", str(tmp_path / "run"), "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    if done.returncode != 0 and "Signal 6 (SIGABRT)" in done.stderr:
        # Seen once on a loaded 2-core machine (a gloo worker aborted at teardown); one retry keeps
        # CI honest about real failures, which fail both times.
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-8000:]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["world_size"] == 2 and summary["epochs_run"] == 2 and summary["steps"] == 8
    assert done.stdout.count("run directory") == 1
