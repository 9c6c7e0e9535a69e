"""Splitting repeats, expanding, flattening and making a block unique."""

from __future__ import annotations

import pytest
import torch

from engine.blocks.definition import BlockError
from engine.blocks.expand import expand, flatten, make_unique, split_repeats
from engine.blocks.group import group, ungroup
from engine.compiler import compile_network
from engine.layers.blocks import BLOCK
from engine.shapes import infer_shapes
from tests.engine.blocks.helpers import graph_of
from tests.engine.blocks.resnet import small_resnet


def test_a_repeated_block_splits_into_one_block_per_repetition() -> None:
    net = small_resnet()
    stage1 = net.find("stage1")
    split, ids = split_repeats(net, stage1)
    assert ids[0] == stage1 and [split.name_of(i) for i in ids] == ["stage1_0", "stage1_1"]
    before, after = infer_shapes(net), infer_shapes(split)
    assert after.ok and after.total_params == before.total_params
    stage2 = small_resnet().library.definition("stage").network
    inner, (first, second) = split_repeats(stage2, stage2.find("blocks"))
    assert inner.params_view(first)["args"] == {"channels": {"arg": "channels"}, "stride": 2}
    assert inner.params_view(second)["args"] == {"channels": {"arg": "channels"}}
    with pytest.raises(BlockError, match="expand it instead"):
        ungroup(net, stage1)


def test_flatten_computes_the_same_as_the_blocks() -> None:
    net = small_resnet()
    flat = flatten(net)
    assert not flat.nodes_of_type(BLOCK) and net.nodes_of_type(BLOCK)  # the original is left alone
    names = {flat.name_of(n) for n in flat.node_ids}
    assert {"stage1_0_conv1", "stage1_1_shortcut", "stage2_blocks_0_conv1", "stage2_blocks_1_relu"} <= names
    nested_model, flat_model = compile_network(net).eval(), compile_network(flat).eval()
    flat_model.load_state_dict({key.rsplit(".", 1)[0].replace(".", "_") + "." + key.rsplit(".", 1)[1]: value
                                for key, value in nested_model.state_dict().items()})
    x = torch.randn(2, 3, 16, 16)
    assert torch.allclose(nested_model(x), flat_model(x), atol=1e-6)


def test_expanding_a_group_of_one_repetition_is_ungrouping_it() -> None:
    net = small_resnet()
    done = group(net, [net.find("pool"), net.find("flat")], "head")
    assert graph_of(expand(done.network, done.block)) == graph_of(net)


def test_make_unique_gives_the_instance_its_own_definition() -> None:
    net = small_resnet()
    stage1 = net.find("stage1")
    unique, name = make_unique(net, stage1)
    assert name == "basic_2" and unique.params_view(stage1)["definition"] == "basic_2"
    assert net.params_view(stage1)["definition"] == "basic" and "basic_2" not in net.library
    copy = unique.library.definition("basic_2").network
    copy.set_param(copy.find("conv1"), "kernel", 1)
    copy.set_param(copy.find("conv1"), "padding", 0)
    assert unique.library.definition("basic").network.params_view(copy.find("conv1"))["kernel"] == (3, 3)
    assert infer_shapes(unique).ok


def test_a_recursive_block_is_not_flattened() -> None:
    net = small_resnet()
    stage = net.library.definition("stage").network
    stage.set_param(stage.find("blocks"), "definition", "stage")
    with pytest.raises(BlockError, match=r"contains itself \(stage › stage\)"):
        flatten(net)
