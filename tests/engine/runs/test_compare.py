"""Comparing runs: settings and architecture diffs on known pairs, curves, the Pareto front."""

import math

import numpy as np

from engine.runs.compare import architecture_diff, curves, pareto_front, settings_diff
from engine.runs.index import RunIndex
from tests.engine.runs.helpers import mlp_project, write_run


def test_settings_diff_names_the_keys_that_differ(tmp_path):
    write_run(tmp_path, "a", project=mlp_project(lr=0.1))
    write_run(tmp_path, "b", project=mlp_project(lr=0.01, batch_size=128))
    index = RunIndex(tmp_path)
    diff = settings_diff(index.get("a"), index.get("b"))
    assert diff == {"training.lr": (0.1, 0.01), "training.batch_size": (32, 128)}
    assert settings_diff({"x": 1, "y": 2}, {"x": 1, "z": 3}) == {"y": (2, None), "z": (None, 3)}
    assert settings_diff(index.get("a"), index.get("a")) == {}


def test_architecture_diff_layers_added_removed_and_changed():
    a, b = mlp_project(units=16), mlp_project(units=32, extra_layer=True)
    diff = architecture_diff(a, b)
    assert diff.added == ["hidden2", "relu2"] and diff.removed == []
    changed = {c.name: c for c in diff.changed}
    assert changed["hidden1"].params == {"units": (16, 32)} and changed["hidden1"].type is None
    assert changed["scores"].inputs is not None and changed["scores"].params == {}  # now fed by relu2
    back = architecture_diff(b, a)
    assert back.removed == ["hidden2", "relu2"] and back.added == []
    assert architecture_diff(a, mlp_project(units=16)).same
    assert diff.to_dict()["changed"][0]["name"] == "hidden1"


def test_architecture_diff_sees_a_layer_type_change():
    a, b = mlp_project(), mlp_project()
    node = b.network.find("relu1")
    b.network.rename(node, "relu_old")
    diff = architecture_diff(a, b)
    assert diff.added == ["relu_old"] and diff.removed == ["relu1"]


def test_architecture_diff_compares_blocks_through_their_definitions():
    from engine.project import Project
    from tests.engine.blocks.resnet import small_resnet

    a, b = Project(small_resnet()), Project(small_resnet())
    assert architecture_diff(a, b).same
    inner = b.network.library.get("basic").network
    inner.set_param(inner.find("conv1"), "kernel", 5)  # inside the block both stages use
    changed = {c.name: c for c in architecture_diff(a, b).changed}
    assert set(changed) == {"stage1", "stage2"}
    assert changed["stage1"].definition_changed and changed["stage1"].params == {}


def test_curves_are_arrays_per_epoch(tmp_path):
    write_run(tmp_path, "a", epochs=4)
    entry = RunIndex(tmp_path).get("a")
    c = curves(entry)
    assert list(c["epoch"]) == [1, 2, 3, 4] and c["val_accuracy"].shape == (4,)
    assert isinstance(c["train_loss"], np.ndarray) and c["train_loss"][0] > c["train_loss"][-1]
    assert curves(tmp_path / "missing") == {}


def test_pareto_front():
    # (cost, accuracy): 0 is cheapest; 2 beats 1 (cheaper, better); 3 is the best; 4 is dominated by 3
    points = [(10, 0.80), (50, 0.85), (40, 0.90), (100, 0.95), (120, 0.95), (None, 0.99), (5, math.nan)]
    assert pareto_front(points) == [0, 2, 3]
    losses = [(10, 0.5), (20, 0.3), (30, 0.4), (40, 0.1)]
    assert pareto_front(losses, maximize_y=False) == [0, 1, 3]
    assert pareto_front([]) == []
