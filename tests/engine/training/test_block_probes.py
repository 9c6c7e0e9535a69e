"""Probes see inside blocks: inner layers are keyed by their module path, in the model's order."""

from __future__ import annotations

import torch

from engine.blocks.paths import layer_places
from engine.compiler import compile_network
from engine.training.probes import ProbeCollector, probe_layers
from tests.engine.blocks.resnet import small_resnet


def resnet_probe():
    torch.manual_seed(0)
    network = small_resnet()
    gm = compile_network(network)
    x = torch.randn(4, 3, 16, 16)
    gm(x).square().mean().backward()
    return network, gm, ProbeCollector(gm, x, None, 8).collect(1, 0)


def test_gradient_norms_list_every_inner_layer_by_path_in_model_order():
    network, gm, probe = resnet_probe()
    stem, fc = network.find("stem"), network.find("fc")
    with_weights = [p.path for p in layer_places(gm)
                    if not p.is_block and next(gm.get_submodule(p.path).parameters(), None) is not None]
    keys = [network.find(path) if path in ("stem", "fc") else path for path in with_weights]
    assert list(probe.grad_norm) == keys  # the model's order: stem, stage1's layers, stage2's, fc
    assert keys[0] == stem and keys[-1] == fc and "stage1.0.conv1" in keys and "stage2.blocks.1.shortcut" in keys
    assert network.find("stage1") not in probe.grad_norm  # no bar for a whole block
    assert all(v > 0 for v in probe.grad_norm.values())
    assert probe.grad_norm["stage1.1.conv2"] == torch.linalg.vector_norm(gm.stage1[1].conv2.weight.grad).item()
    assert set(probe.weight_histograms) == set(probe.grad_histograms) == set(keys)
    assert probe.inner["stage2.blocks.0.conv1"][0] == network.find("stage2")
    assert probe.inner["stage1.0.bn1"] == (network.find("stage1"), "n3")


def test_activations_of_inner_layers_follow_their_block():
    network, gm, probe = resnet_probe()
    keys = list(probe.activations)
    stage1, stage2 = network.find("stage1"), network.find("stage2")
    assert keys.index(stage1) < keys.index("stage1.0.conv1") < keys.index("stage1.1.relu") < keys.index(stage2)
    assert keys.index(stage2) < keys.index("stage2.blocks.0.conv1") < keys.index(network.find("pool"))
    assert probe.activations["stage2.blocks.0.conv1"].shape == (4, 16, 8, 8)  # the stride-2 first block
    x = torch.from_numpy(probe.inputs)
    with torch.no_grad():
        gm.eval()
        expected = gm.stage1[0].relu1(gm.stage1[0].bn1(gm.stage1[0].conv1(gm.stem(x))))
    assert torch.allclose(torch.from_numpy(probe.activations["stage1.0.relu1"]), expected, atol=1e-6)
    assert "stage1.0.conv1" in probe.weights and probe.weights["stage1.0.conv1"].shape == (8, 8, 3, 3)
    layers = list(probe_layers(gm))
    assert layers[:3] == [network.find("stem"), stage1, "stage1.0.conv1"] and "stage2.blocks" not in layers
