"""A briefly trained LeNet-5 (2 epochs on 1,024 MNIST digits, CPU) in a run directory, shared by
the Play tests: its snapshots, its predictions and its attributions."""

from __future__ import annotations

import pytest

from engine.project import load_project
from engine.run_dir import read_run, train_to_directory
from engine.training import Trainer
from tests.conftest import ROOT

SAMPLES = ROOT / "sample_projects"


def sample(name: str):
    return load_project(SAMPLES / f"{name}.layerlab")


@pytest.fixture(scope="session")
def trained_lenet(tmp_path_factory):
    """(run directory, Run) of LeNet-5 trained for 2 epochs on a subset of MNIST."""
    project = sample("lenet5")
    project.dataset = {**project.dataset, "subset": 1024, "test_subset": 200}
    project.training = {**project.training, "epochs": 2, "device": "cpu", "checkpoint_every": 0}
    out = tmp_path_factory.mktemp("play") / "lenet5"
    end = train_to_directory(Trainer(project), out)
    assert end.reason == "completed", end
    return out, read_run(out)
