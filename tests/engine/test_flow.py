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


def test_layers_inside_blocks_have_their_flow_by_module_path():
    network = load_project(ROOT / "sample_projects" / "resnet_mnist.layerlab").network
    torch.manual_seed(0)
    model = compile_network(network)
    norms = activation_gradient_norms(model, example_input(network, batch=4), torch.tensor([1, 2, 3, 4]),
                                      F.cross_entropy)
    stage1 = network.find("stage1")
    assert {"stage1.conv1", "stage1.bn1", "stage1.add", "stage2.down.conv1"} <= set(norms)
    assert norms[stage1] > 0 and norms["stage1.conv1"] > 0  # the block's output and a layer inside it
    assert not any(key.startswith("stage2.down.") and key.count(".") == 1 for key in norms)  # nested blocks: layers
