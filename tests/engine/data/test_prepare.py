"""Splits, normalization, augmentation and binding the dataset to the network."""

import pytest
import torch

from engine.builder import NetworkBuilder
from engine.data import AugmentSettings, DatasetError, load_dataset
from engine.data.bind import bind_input_shape, check_output
from engine.data.dataset import build_augmentation


def test_splits_are_disjoint_and_seeded():
    settings = {"source": "blobs", "samples": 200, "classes": 4, "test_split": 0.25, "validation_split": 0.2}
    data = load_dataset(settings)
    assert (len(data.train), len(data.val), len(data.test)) == (120, 30, 50)
    rows = lambda t: {tuple(r.tolist()) for r in t}  # noqa: E731
    assert not rows(data.train.x) & rows(data.val.x) and not rows(data.train.x) & rows(data.test.x)
    assert torch.equal(load_dataset(settings).val.x, data.val.x)
    assert not torch.equal(load_dataset({**settings, "seed": 3}).val.x, data.val.x)


def test_subset_limits_the_training_pool():
    data = load_dataset({"source": "mnist", "subset": 300, "test_subset": 40, "validation_split": 0.1})
    assert (len(data.train), len(data.val), len(data.test)) == (270, 30, 40)


def test_normalization_modes():
    unit = load_dataset({"source": "mnist", "subset": 200, "test_subset": 10})
    assert unit.normalization["mode"] == "unit" and float(unit.train.x.max()) == 1.0
    channel = load_dataset({"source": "mnist", "subset": 200, "test_subset": 10, "normalize": "channel"})
    assert abs(float(channel.train.x.mean())) < 1e-4 and abs(float(channel.train.x.std()) - 1) < 1e-3
    none = load_dataset({"source": "mnist", "subset": 200, "test_subset": 10, "normalize": "none"})
    assert float(none.train.x.max()) == 255.0
    table = load_dataset({"source": "spiral", "samples": 100, "normalize": "standardize"})
    assert torch.allclose(table.train.x.mean(0), torch.zeros(2), atol=1e-5)
    with pytest.raises(DatasetError, match="'channel' is for images"):
        load_dataset({"source": "spiral", "normalize": "channel"})


def test_reconstruction_targets_are_the_inputs():
    data = load_dataset({"source": "mnist", "task": "reconstruction", "subset": 50, "test_subset": 10})
    assert data.train.y is None and data.target_shape() == (1, 28, 28) and data.num_classes is None


def test_augmentation_pipeline_changes_samples_but_not_their_shape():
    torch.manual_seed(0)
    augment = build_augmentation(AugmentSettings(translate=0.1, scale=0.1, rotate=15, noise=0.05, elastic=20,
                                                 hflip=True), (1, 28, 28))
    x = load_dataset({"source": "mnist", "subset": 4, "test_subset": 1}).train.x[0]
    out = augment(x)
    assert out.shape == x.shape and not torch.equal(out, x)
    assert build_augmentation(AugmentSettings(), (1, 28, 28)) is None
    with pytest.raises(DatasetError, match="hue needs colour"):
        build_augmentation(AugmentSettings(hue=0.1), (1, 28, 28))
    with pytest.raises(DatasetError, match="Augmentation works on images"):
        build_augmentation(AugmentSettings(rotate=5), (2,))
    colour = build_augmentation(AugmentSettings(hue=0.2), (3, 8, 8))
    assert colour(torch.rand(3, 8, 8)).shape == (3, 8, 8)


def _mlp(units_out: int, loss: str = "cross_entropy"):
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Flatten",), ("Dense", {"units": units_out}, "scores"))
    b.add("Output", x, loss=loss)
    return b.finish()


def test_binding_sets_the_input_shape_and_announces_it():
    network = _mlp(10)
    events = []
    network.subscribe(events.append)
    assert bind_input_shape(network, (2,)) is True
    (input_id,) = network.nodes_of_type("Input")
    assert network.node(input_id).params["shape"] == (2,)
    assert [e.kind for e in events] == ["param_changed"]
    assert bind_input_shape(network, (2,)) is False


def test_output_must_match_the_task():
    with pytest.raises(DatasetError, match=r"dataset has 10 classes: set the units of 'scores' to 10"):
        check_output(_mlp(5), None, "classification", 10, None)
    with pytest.raises(DatasetError, match="needs class labels"):
        check_output(_mlp(10), None, "reconstruction", None, (1, 28, 28))
    with pytest.raises(DatasetError, match=r"gets shape \[10\] but each target has shape \[1, 28, 28\]"):
        check_output(_mlp(10, "mse"), None, "reconstruction", None, (1, 28, 28))
    check_output(_mlp(10), None, "classification", 10, None)
