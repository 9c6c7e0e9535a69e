"""Gradient flow along wires: a deep sigmoid stack shows vanishing gradients."""

import torch
import torch.nn.functional as F

from engine.compiler import compile_network, example_input
from engine.flow import activation_gradient_norms
from engine.project import load_project
from tests.conftest import ROOT


def test_vanishing_gradients_sample_shows_shrinking_flow():
    network = load_project(ROOT / "sample_projects" / "vanishing_gradients.layerlab").network
    torch.manual_seed(0)
    model = compile_network(network)
    x = example_input(network, batch=8)
    y = torch.randint(0, 10, (8,))
    for p in model.parameters():
        p.grad = torch.full_like(p, 7.0)
    norms = activation_gradient_norms(model, x, y, F.cross_entropy)
    first, last = norms[network.find("fc1")], norms[network.find("scores")]
    assert first < last / 100, (first, last)
    assert all(torch.all(p.grad == 7.0) for p in model.parameters())  # trainer's grads untouched
    assert model.training
