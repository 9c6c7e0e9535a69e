"""The sample projects reach the course's results (slow: full MNIST; run with -m slow)."""

import pytest
import torch

from engine.data.dataset import load_dataset
from engine.project import load_project
from engine.training import Finished, ProbeRecord, Trainer
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def train(name, **overrides):
    project = load_project(ROOT / "sample_projects" / f"{name}.layerlab")
    trainer = Trainer(project, settings={**project.training, **overrides})
    records = list(trainer.run())
    assert isinstance(records[-1], Finished), getattr(records[-1], "message", "")
    return trainer, records


def test_mnist_mlp_sklearn_reaches_97_percent_like_scikit_learn():
    _, records = train("mnist_mlp_sklearn")
    assert records[-1].summary["final"]["test_accuracy"] >= 0.970


def test_lenet5_reaches_98_5_percent_in_two_epochs():
    _, records = train("lenet5")
    assert records[-1].summary["epochs_run"] == 2
    assert records[-1].summary["final"]["test_accuracy"] >= 0.985


def test_resnet_mnist_from_blocks_reaches_98_percent_in_two_epochs():
    _, records = train("resnet_mnist")  # 98.41 % measured (seed 0, 2-core CPU, 11.9 min)
    assert records[-1].summary["epochs_run"] == 2
    assert records[-1].summary["final"]["test_accuracy"] >= 0.980


def test_vgg_mnist_from_blocks_reaches_97_5_percent_in_one_epoch():
    _, records = train("vgg_mnist")  # 98.06 % measured (seed 0, 2-core CPU, 6.4 min)
    assert records[-1].summary["epochs_run"] == 1
    assert records[-1].summary["final"]["test_accuracy"] >= 0.975


def test_encoder_8_3_8_reconstructs_all_eight_inputs():
    trainer, _ = train("encoder_8_3_8", device="cpu")  # the check below feeds CPU tensors
    with torch.no_grad():
        out = trainer.model.eval()(torch.eye(8))
    assert torch.equal(out.argmax(1), torch.arange(8))
    assert torch.equal((torch.sigmoid(out) > 0.5).float(), torch.eye(8))


def test_spiral_playground_separates_the_spiral():
    _, records = train("spiral_playground")
    assert records[-1].summary["final"]["test_accuracy"] >= 0.95


def test_linear_autoencoder_matches_pca_reconstruction_error():
    trainer, records = train("linear_autoencoder_pca")
    data = load_dataset(trainer.project.dataset)
    x = data.train.x.flatten(1).double()
    mean = x.mean(0)
    _, _, vh = torch.linalg.svd(x - mean, full_matrices=False)
    basis = vh[:16].T
    test = data.test.x.flatten(1).double()
    pca_error = ((((test - mean) @ basis @ basis.T + mean) - test) ** 2).mean().item()
    autoencoder_error = records[-1].summary["final"]["test_loss"]
    assert autoencoder_error <= 1.01 * pca_error
    assert autoencoder_error >= 0.99 * pca_error  # a 16-unit linear code cannot beat PCA


def test_vanishing_gradients_first_layer_gets_orders_of_magnitude_less_gradient():
    trainer, records = train("vanishing_gradients", probe_every=20, max_steps=200)
    probes = [r for r in records if isinstance(r, ProbeRecord)]
    network = trainer.project.network
    first, last = network.find("fc1"), network.find("scores")
    ratios = [p.grad_norm[first] / p.grad_norm[last] for p in probes]
    assert len(ratios) == 10 and max(ratios) < 1e-3
