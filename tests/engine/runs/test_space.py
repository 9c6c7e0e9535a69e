"""Sweep spaces: keys checked against the project with a "did you mean", ranges and grids."""

import pytest

from engine.runs.space import SpaceError, apply_values, parse_space
from tests.engine.runs.helpers import mlp_project

SPACE = {"training.lr": {"log_uniform": [1e-4, 1e-1]}, "training.batch_size": {"choice": [64, 128, 256]},
         "hidden1.units": {"int": [16, 256]}, "dataset.subset": {"int": [100, 300, ], "step": 100},
         "training.momentum": {"uniform": [0.0, 0.9], "points": 4}}


def test_a_space_over_settings_and_layer_parameters():
    project = mlp_project()
    space = parse_space(SPACE, project)
    grid = space.grid()
    assert grid["training.batch_size"] == [64, 128, 256] and grid["dataset.subset"] == [100, 200, 300]
    assert grid["training.lr"] == pytest.approx([1e-4, 10 ** -2.5, 1e-1])  # log-evenly spaced, 3 points
    assert grid["training.momentum"] == pytest.approx([0.0, 0.3, 0.6, 0.9])
    assert len(grid["hidden1.units"]) == 241 and space.grid_size() == 3 * 241 * 3 * 3 * 4
    changed = apply_values(project, {"training.lr": 0.05, "hidden1.units": 40, "dataset.subset": 200})
    assert changed.training["lr"] == 0.05 and changed.dataset["subset"] == 200
    assert changed.network.params_view(changed.network.find("hidden1"))["units"] == 40
    assert project.network.params_view(project.network.find("hidden1"))["units"] == 16  # a copy


@pytest.mark.parametrize(("space", "words"), [
    ({"training.lrr": {"choice": [0.1]}}, ["training.lrr", "Did you mean 'training.lr'"]),
    ({"hiden1.units": {"int": [1, 4]}}, ["no layer named 'hiden1'", "Did you mean 'hidden1'"]),
    ({"hidden1.unit": {"int": [1, 4]}}, ["no parameter 'unit'", "Did you mean 'hidden1.units'"]),
    ({"lr": {"choice": [0.1]}}, ["Did you mean 'training.lr'"]),
    ({"dataset.subsett": {"int": [1, 4]}}, ["Did you mean 'dataset.subset'"]),
    ({"training.lr": {"loguniform": [0.1, 1]}}, ["unknown entry 'loguniform'", "log_uniform"]),
    ({"training.lr": {"uniform": [1, 0.1]}}, ["must be below"]),
    ({"training.lr": {"log_uniform": [0, 0.1]}}, ["low > 0"]),
    ({"training.lr": {"choice": [0.1, -1]}}, ["-1 is refused", "greater than 0"]),
    ({"hidden1.units": {"int": [0, 4]}}, ["0 is refused"]),
    ({"training.lr": [0.1, 1]}, ["as an object"]),
    ({}, ["at least one entry"]),
])
def test_bad_spaces_are_refused_naming_the_problem(space, words):
    with pytest.raises(SpaceError) as error:
        parse_space(space, mlp_project())
    for word in words:
        assert word in str(error.value)
