"""The training_script export: a standalone file that trains like LayerLab, with plain python and
under torchrun (DDP, gloo on CPU), without importing LayerLab."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import torch

from engine.compiler import compile_network
from engine.export import ExportError, export, source_from_project
from engine.importers import load_weights_file
from engine.project import load_project
from engine.training import records as R
from engine.training.trainer import Trainer

from .conftest import ROOT, run_without_layerlab

MNIST = ROOT / "resources" / "datasets" / "mnist"
QUICK = ["--subset", "256", "--epochs", "1"]


def _summary(run) -> dict:
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def _layerlab_epoch_loss(project) -> float:
    trainer = Trainer(project, settings={**project.training, "epochs": 1, "device": "cpu"},
                      dataset_settings={**project.dataset, "subset": 256, "test_subset": 256})
    losses = [r.train_loss for r in trainer.run() if isinstance(r, R.EpochRecord)]
    return losses[-1]


@pytest.fixture(scope="module")
def layerlab_loss(sources) -> float:
    """LeNet-5's first-epoch loss on the quick subset, from LayerLab's own trainer."""
    return _layerlab_epoch_loss(sources["lenet5"].project)


@pytest.fixture(scope="module")
def lenet_script(tmp_path_factory, sources) -> Path:
    folder = tmp_path_factory.mktemp("script")
    export(sources["lenet5"], "training_script", folder / "train_lenet.py")
    return folder / "train_lenet.py"


def test_trains_like_layerlab_without_layerlab(lenet_script, sources, layerlab_loss):
    """Same data split, same initial weights, same batches: the first epoch's loss matches
    LayerLab's own trainer, and the weights it writes load back into the project."""
    run = run_without_layerlab(lenet_script, "--data", str(MNIST), *QUICK, "--out", "run", cwd=lenet_script.parent)
    summary = _summary(run)
    assert summary["epochs"] == 1 and summary["steps"] == 4 and 0 <= summary["test_accuracy"] <= 1
    assert summary["train_loss"] == pytest.approx(layerlab_loss, abs=1e-4)
    model = compile_network(sources["lenet5"].project.network)
    assert load_weights_file(model, lenet_script.parent / "run" / "weights.pt").complete


def test_torchrun_two_processes_on_cpu(lenet_script, layerlab_loss):
    """DDP with two gloo processes splits each batch in two and averages the gradients: the loss
    is the same as in one process (and in LayerLab)."""
    torchrun = Path(sys.executable).with_name("torchrun")
    if not torchrun.exists():
        pytest.skip("torchrun is not installed beside this Python")
    args = ("--data", str(MNIST), *QUICK, "--out", "ddp", "--device", "cpu")
    launcher = [str(torchrun), "--standalone", "--nproc_per_node=2"]
    done = run_without_layerlab(lenet_script, *args, cwd=lenet_script.parent, launcher=launcher)
    if done.returncode != 0 and "SIGABRT" in done.stderr:
        # Seen once on a loaded 2-core machine (a gloo worker aborted at teardown); one retry keeps
        # the check honest about real failures, which fail both times.
        done = run_without_layerlab(lenet_script, *args, cwd=lenet_script.parent, launcher=launcher)
    ddp = _summary(done)
    assert ddp["steps"] == 4 and (lenet_script.parent / "ddp" / "weights.pt").is_file()
    assert ddp["train_loss"] == pytest.approx(layerlab_loss, abs=1e-4)


def test_mnist_files_next_to_the_script(lenet_script, tmp_path):
    script = tmp_path / "train.py"
    shutil.copy(lenet_script, script)
    missing = run_without_layerlab(script, *QUICK, cwd=tmp_path)
    assert missing.returncode != 0 and "pass their folder with --data DIR" in missing.stderr
    (tmp_path / "mnist").mkdir()
    for gz in MNIST.glob("*.gz"):
        (tmp_path / "mnist" / gz.name).symlink_to(gz)
    assert _summary(run_without_layerlab(script, *QUICK, "--max-steps", "2", cwd=tmp_path))["steps"] == 2


@pytest.mark.parametrize("sample, args", [("spiral_playground", ["--epochs", "2"]),
                                          ("encoder_8_3_8", ["--epochs", "5"])])
def test_synthetic_sources(sources, sample, args, tmp_path):
    export(sources[sample], "training_script", tmp_path / "train.py")
    summary = _summary(run_without_layerlab(tmp_path / "train.py", *args, cwd=tmp_path))
    assert summary["epochs"] == int(args[1]) and torch.isfinite(torch.tensor(summary["train_loss"]))


def _project(dataset: dict, training: dict | None = None, sample: str = "mnist_mlp"):
    project = load_project(ROOT / "sample_projects" / f"{sample}.layerlab")
    project.dataset, project.training = dataset, training or project.training
    return project


@pytest.mark.parametrize("dataset, training, named", [
    ({"source": "csv", "path": "data.csv"}, None, "dataset.source 'csv'"),
    ({"source": "torchvision", "name": "MNIST", "grayscale": True}, None, "dataset.grayscale"),
    ({"source": "spiral"}, None, "Input is [1, 28, 28]"),
    ({"source": "mnist"}, {"optimizer": "sgdd"}, "training.optimizer"),
])
def test_inexpressible_settings_are_named(dataset, training, named, tmp_path):
    with pytest.raises(ExportError, match=named.replace("[", r"\[").replace("]", r"\]")):
        export(source_from_project(_project(dataset, training)), "training_script", tmp_path / "t.py")
    assert list(tmp_path.iterdir()) == []


def test_a_setting_the_script_does_not_know_is_refused(monkeypatch, tmp_path):
    """A setting LayerLab gains later is refused by name, not silently dropped."""
    from engine.export import training_script

    monkeypatch.setattr(training_script, "TRAINING_KEYS", training_script.TRAINING_KEYS - {"grad_clip"})
    project = _project({"source": "mnist"}, {"optimizer": "sgd", "grad_clip": 1.0})
    with pytest.raises(ExportError, match="cannot express training.grad_clip = 1.0"):
        export(source_from_project(project), "training_script", tmp_path / "t.py")
    project.training = {"optimizer": "sgd"}
    assert export(source_from_project(project), "training_script", tmp_path / "t.py").max_abs_diff == 0.0
