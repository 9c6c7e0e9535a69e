"""Library edits: where a definition is used, renaming, removing."""

from __future__ import annotations

import pytest

from engine.blocks.definition import BlockDefinition, BlockError
from engine.blocks.group import group, ungroup
from engine.blocks.library_ops import instances, remove_definition, rename_definition
from engine.graph import Network
from engine.shapes import infer_shapes
from tests.engine.blocks.helpers import graph_of
from tests.engine.blocks.resnet import small_resnet


def test_instances_are_found_at_the_top_and_inside_definitions() -> None:
    net = small_resnet()
    stage = net.library.definition("stage").network
    assert instances(net, "basic") == [(None, net.find("stage1")), ("stage", stage.find("blocks"))]
    assert instances(net, "stage") == [(None, net.find("stage2"))]


def test_renaming_a_definition_renames_every_instance_and_leaves_the_original() -> None:
    net = small_resnet()
    before = graph_of(net)
    renamed = rename_definition(net, "basic", "residual")
    assert renamed.library.names == ["residual", "stage"]
    assert renamed.params_view(net.find("stage1"))["definition"] == "residual"
    stage = renamed.library.definition("stage").network
    assert stage.params_view(stage.find("blocks"))["definition"] == "residual"
    assert infer_shapes(renamed).total_params == infer_shapes(net).total_params
    assert graph_of(net) == before and net.library.names == ["basic", "stage"]
    assert infer_shapes(net).ok
    with pytest.raises(BlockError, match="already has a block definition named 'stage'"):
        rename_definition(net, "basic", "stage")


def test_only_an_unused_definition_is_removed() -> None:
    net = small_resnet()
    with pytest.raises(BlockError, match="'basic' is used by 'stage1', 'blocks' in 'stage'"):
        remove_definition(net, "basic")
    net.library.add(BlockDefinition("spare", Network()))
    assert remove_definition(net, "spare").library.names == ["basic", "stage"]
    assert "spare" in net.library


def test_a_definition_takes_a_grouped_network_in_place() -> None:
    net = small_resnet()
    basic = net.library.definition("basic")
    inner = basic.network
    chosen = [inner.find("conv1"), inner.find("bn1")]
    with pytest.raises(BlockError, match="refer to the block argument 'channels'"):
        group(inner, chosen, "conv_bn")
    done = group(inner, chosen, "conv_bn", arg_defaults=basic.args)
    assert done.definition.args == {"channels": 8, "stride": 1}
    assert done.network.params_view(done.block)["args"] == {"channels": {"arg": "channels"},
                                                            "stride": {"arg": "stride"}}
    assert graph_of(ungroup(done.network, done.block)) == graph_of(inner)
    library = done.network.library
    library.put(BlockDefinition("basic", done.network, basic.args))
    net.library = library
    analysis = infer_shapes(net)
    assert analysis.ok and analysis.total_params == infer_shapes(small_resnet()).total_params
