"""The built-in blocks: each one's shapes match its compiled module, ResNet blocks match torchvision's."""

from __future__ import annotations

import pytest
import torch

from engine.blocks.builtin import BUILTIN, add_builtin, builtin_library
from engine.compiler import compile_network
from engine.graph import Network
from engine.project import Project, project_from_json
from engine.shapes import infer_shapes
from tests.engine.blocks.test_block_shapes import _expected

ARGS = {"conv_bn_relu": {"channels": 8}, "conv_relu": {"channels": 8}, "resnet_basic": {"channels": 16},
        "resnet_down": {"channels": 32}, "resnet_stage": {"channels": 32, "more": 2},
        "resnet_bottleneck": {"width": 4, "channels": 16}, "vgg_stage": {"channels": 8, "convs": 3},
        "encoder_stage": {"channels": 8}, "decoder_stage": {"channels": 8}}


def _network_with(name: str, args: dict) -> Network:
    net, _ = add_builtin(Network(), name)
    x = net.add_node("Input", {"shape": [16, 8, 8]})
    block = net.add_node("Block", {"definition": name, "args": args}, name="b")
    out = net.add_node("Output", {"loss": "mse"})
    net.connect(x, block)
    net.connect(block, out)
    return net


@pytest.mark.parametrize("name", [make.__name__ for make in BUILTIN])
def test_each_builtin_block_infers_the_shapes_its_module_has(name: str) -> None:
    net = _network_with(name, ARGS[name])
    analysis = infer_shapes(net)
    assert analysis.ok, analysis.errors
    model = compile_network(net, analysis)
    expected, seen = _expected(net, analysis), {}
    for path in expected:
        model.get_submodule(path).register_forward_hook(
            lambda m, i, o, path=path: seen.__setitem__(path, tuple(o.shape[1:])))
    model(torch.randn(2, 16, 8, 8))
    assert seen == expected
    assert analysis.total_params == sum(p.numel() for p in model.parameters())


def test_repeats_and_strides_come_from_arguments() -> None:
    analysis = infer_shapes(_network_with("vgg_stage", {"channels": 8, "convs": 3}))
    block = next(info for info in analysis.nodes.values() if info.inner)
    assert block.output_shape == (8, 4, 4)
    (inner,) = block.inner
    convs = next(info for info in inner.nodes.values() if info.inner)
    assert len(convs.inner) == 3
    stage = infer_shapes(_network_with("resnet_stage", {"channels": 32, "more": 2}))
    assert next(info for info in stage.nodes.values() if info.inner).output_shape == (32, 4, 4)


def test_resnet_blocks_have_torchvisions_parameter_counts() -> None:
    from torchvision.models.resnet import BasicBlock, Bottleneck, conv1x1

    def count(module: torch.nn.Module) -> int:
        return sum(p.numel() for p in module.parameters())

    basic = infer_shapes(_network_with("resnet_basic", {"channels": 16})).total_params
    assert basic == count(BasicBlock(16, 16))
    down = torch.nn.Sequential(conv1x1(16, 16), torch.nn.BatchNorm2d(16))
    bottleneck = infer_shapes(_network_with("resnet_bottleneck", {"width": 4, "channels": 16})).total_params
    assert bottleneck == count(Bottleneck(16, 4, downsample=down))


def test_the_builtin_library_is_complete_and_adding_keeps_the_network() -> None:
    assert builtin_library().names == [make.__name__ for make in BUILTIN]
    net = Network()
    added, name = add_builtin(net, "resnet_stage")
    assert set(added.library.names) == {"resnet_down", "resnet_basic", "resnet_stage"}
    assert net.library is None and name == "resnet_stage"


def test_every_builtin_block_survives_a_project_file() -> None:
    net = _network_with("resnet_stage", ARGS["resnet_stage"])
    net.library = builtin_library()
    project = Project(net)
    again = project_from_json(project.to_json())
    assert again.problems == [] and again.to_dict() == project.to_dict()
    assert infer_shapes(again.network).total_params == infer_shapes(net).total_params
