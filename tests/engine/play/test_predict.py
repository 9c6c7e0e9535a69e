"""Player: top-k probabilities of a trained LeNet-5, activations keyed as the probes key them,
drawn MNIST digits classified as when fed directly, the no-classes reason and code of an
autoencoder; weight snapshots written each epoch by a run and loadable."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.compiler import compile_network
from engine.play import inputs
from engine.play.predict import Player, code_layer
from engine.play.snapshots import (
    LARGE_MODEL,
    SnapshotError,
    list_snapshots,
    load_snapshot,
    snapshot_model,
    snapshots_due,
)
from engine.run_dir import train_to_directory
from engine.training import Trainer
from engine.training.probes import probe_layers
from tests.engine.play.conftest import sample
from tests.engine.training.helpers import spiral_project


def test_top_k_of_a_trained_lenet5_sums_to_one_with_probe_keyed_activations(trained_lenet):
    _, run = trained_lenet
    model, project = run.model(), run.project
    player = Player(model, project)
    samples = inputs.test_samples(project, 20)
    right = 0
    for image, label in zip(samples.images, samples.labels):
        prediction = player.predict(inputs.to_model_input(image, project))
        assert prediction.no_classes_reason is None
        assert prediction.probabilities.shape == (10,)
        assert prediction.probabilities.sum() == pytest.approx(1, abs=1e-5)
        assert len(prediction.top) == 5 and [p for _, p in prediction.top] == sorted(
            (p for _, p in prediction.top), reverse=True)
        assert prediction.top[0][0] == int(np.argmax(prediction.output))
        right += prediction.top[0][0] == label
    assert right >= 12  # two short epochs: well above chance
    keys = set(project.network.node_ids) | set(probe_layers(model))
    assert set(prediction.activations) <= keys and {"n2", "n9", "n13"} <= set(prediction.activations)
    assert prediction.activations["n2"].shape == (1, 6, 28, 28)
    assert model.training is False  # read_run gives eval mode; the Player gives back the mode it found


def test_drawn_digits_are_classified_as_when_fed_directly(trained_lenet):
    _, run = trained_lenet
    player, project = Player(run.model(), run.project), run.project
    same = 0
    images = inputs.test_samples(project, 40).images
    for image in images:
        direct = player.predict(inputs.to_model_input(image, project)).top[0][0]
        canvas = np.kron(image[0], np.ones((10, 10), np.float32))  # painted on a 280×280 canvas
        drawn = player.predict(inputs.to_model_input(inputs.mnist_like(canvas), project)).top[0][0]
        same += direct == drawn
    assert same == len(images)


def test_the_player_keeps_the_training_mode():
    """Its speed is benchmarks/bench_play_engine.py's (and bench_play.py's, in the panel)."""
    for name in ("lenet5", "mnist_mlp"):
        project = sample(name)
        model = compile_network(project.network).train()
        player = Player(model, project)
        x = inputs.to_model_input(inputs.test_samples(project, 1).images[0], project)
        prediction = player.predict(x)
        assert model.training and prediction.top and all(p.grad is None for p in model.parameters())


def test_an_autoencoder_has_no_classes_but_a_code_to_decode():
    project = sample("conv_autoencoder")
    torch.manual_seed(0)
    model = compile_network(project.network)
    player = Player(model, project)
    x = inputs.to_model_input(inputs.test_samples(project, 1).images[0], project)
    prediction = player.predict(x)
    assert prediction.probabilities is None and prediction.top == []
    assert prediction.no_classes_reason.startswith("the Output predicts a 1×28×28 image")
    assert prediction.reconstruction.shape == (1, 28, 28)
    layer = code_layer(project)
    assert layer is not None and player.code_layer == layer
    code = player.encode(x)
    assert np.allclose(player.decode(code), prediction.output, atol=1e-5)
    assert code_layer(sample("lenet5")) is None


def test_a_2d_model_gives_probabilities_over_a_grid():
    project = spiral_project()
    player = Player(compile_network(project.network), project)
    grid = player.grid((-1.0, 1.0, -1.0, 1.0), (4, 6))
    assert grid.shape == (4, 6, 2) and np.allclose(grid.sum(axis=2), 1, atol=1e-5)
    prediction = player.predict(torch.tensor([0.5, -0.5]))
    assert prediction.probabilities.shape == (2,) and len(prediction.top) == 2


def test_each_epoch_leaves_a_snapshot_that_loads_into_the_model(trained_lenet):
    out, run = trained_lenet
    snapshots = list_snapshots(out)
    assert [epoch for epoch, _ in snapshots] == [0, 1, 2]
    assert snapshots[1][1].name == "epoch-0001.safetensors"
    model = run.model()
    final = {k: v.clone() for k, v in model.state_dict().items()}
    first = load_snapshot(snapshots[0][1])
    assert set(first) == set(final)
    model.load_state_dict(first)
    assert not torch.equal(model.state_dict()["c1.weight"], final["c1.weight"])
    model.load_state_dict(load_snapshot(snapshots[-1][1]))
    assert all(torch.equal(v, final[k]) for k, v in model.state_dict().items())  # the last epoch is the best
    replayed = snapshot_model(run.project, snapshots[0][1])
    assert not replayed.training and torch.equal(replayed.state_dict()["c1.weight"], first["c1.weight"])
    with pytest.raises(SnapshotError, match="damaged|Cannot read"):
        bad = out / "snapshots" / "epoch-0009.safetensors"
        bad.write_bytes(b"not safetensors")
        try:
            load_snapshot(bad)
        finally:
            bad.unlink()


def test_snapshots_can_be_turned_off_and_skip_large_models(tmp_path):
    train_to_directory(Trainer(spiral_project(epochs=2, snapshot_every=0)), tmp_path / "off")
    assert list_snapshots(tmp_path / "off") == [] and not (tmp_path / "off" / "snapshots").exists()
    train_to_directory(Trainer(spiral_project(epochs=3, snapshot_every=2)), tmp_path / "two")
    assert [epoch for epoch, _ in list_snapshots(tmp_path / "two")] == [0, 2]
    assert snapshots_due(1, False, LARGE_MODEL + 1) == 0 and snapshots_due(1, True, LARGE_MODEL + 1) == 1
    assert snapshots_due(3, False, 1000) == 3 and snapshots_due(0, True, 1000) == 0


def test_any_module_plays_with_its_layers_keyed_by_module_path():
    project = spiral_project()
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    prediction = Player(model, project).predict(torch.tensor([[0.1, 0.2]]))
    assert list(prediction.activations) == ["0", "1", "2"] and prediction.activations["0"].shape == (1, 8)
    assert prediction.probabilities.sum() == pytest.approx(1, abs=1e-6) and Player(model, project).code_layer is None
