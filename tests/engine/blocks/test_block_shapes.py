"""Shapes, costs and errors through (nested, repeated) blocks, checked against the compiled model."""

from __future__ import annotations

import random

import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.blocks.definition import BlockDefinition, BlockError
from engine.blocks.group import group
from engine.compiler import compile_network
from engine.graph import Network, python_name
from engine.robustness.networks import random_network
from engine.shapes import Analysis, infer_shapes
from tests.engine.blocks.resnet import small_resnet


def _expected(network: Network, analysis: Analysis, prefix: str = "") -> dict[str, tuple]:
    """Module path -> inferred output shape, for every layer with a module, blocks and inner layers too."""
    found: dict[str, tuple] = {}
    for node_id in analysis.order:
        spec, info = network.spec(node_id), analysis.nodes[node_id]
        if spec.role in ("input", "output") or spec.type_id in ("BlockInput", "BlockOutput"):
            continue
        path = f"{prefix}{python_name(network.name_of(node_id))}"
        found[path] = info.outputs["out"]
        if spec.type_id == "Block":
            definition = network.library.definition(network.params_view(node_id)["definition"])
            for inner in info.inner:
                found.update(_expected(definition.network, inner, f"{inner.path}."))
    return found


def test_shapes_through_nested_blocks_equal_the_compiled_models() -> None:
    net = small_resnet()
    analysis = infer_shapes(net)
    assert analysis.ok, analysis.errors
    expected = _expected(net, analysis)
    assert {"stage1", "stage1.0.conv1", "stage1.1.shortcut", "stage2.blocks.0.conv1", "stage2.blocks.1.add"} \
        <= set(expected)
    model = compile_network(net, analysis)
    seen: dict[str, tuple] = {}
    for path in expected:
        model.get_submodule(path).register_forward_hook(
            lambda m, i, o, path=path: seen.__setitem__(path, tuple(o.shape[1:])))
    model(torch.randn(2, 3, 16, 16))
    assert seen == expected
    assert expected["stage2.blocks.0.conv1"] == (16, 8, 8)  # the first repetition's stride 2
    assert expected["stage2"] == (16, 8, 8)


def test_parameters_macs_and_activations_count_the_inner_layers() -> None:
    net = small_resnet()
    analysis = infer_shapes(net)
    model = compile_network(net, analysis)
    assert analysis.total_params == sum(p.numel() for p in model.parameters())
    stage1 = analysis.nodes[net.find("stage1")]
    assert stage1.params == sum(p.numel() for p in model.stage1.parameters())
    assert len(stage1.inner) == 2 and stage1.macs == sum(a.total_macs for a in stage1.inner)
    assert stage1.activations > 2 * 8 * 16 * 16  # all inner layers' outputs, not only the block's


def test_state_dict_keys_read_like_torchvision() -> None:
    keys = set(compile_network(small_resnet()).state_dict())
    assert {"stage1.0.conv1.weight", "stage1.1.bn2.running_var", "stage2.blocks.0.shortcut.weight",
            "stage2.blocks.1.conv2.weight", "fc.weight"} <= keys


def test_an_error_inside_is_reported_on_the_block_with_the_inner_path() -> None:
    net = small_resnet()
    basic: BlockDefinition = net.library.definition("basic")
    basic.network.set_param(basic.network.find("shortcut"), "stride", 1)  # no longer follows `stride`
    analysis = infer_shapes(net)
    (issue,) = analysis.errors
    assert issue.node == net.find("stage2")
    assert issue.message.startswith("Block 'stage2': at stage2.blocks.0.add: Add 'add':")
    assert analysis.nodes[net.find("stage2")].error_at[0] == "stage2.blocks.0.add"
    assert analysis.nodes[net.find("stage1")].error is None  # stride 1 there: still fine


def test_missing_definitions_recursion_and_bad_arguments_are_named() -> None:
    net = small_resnet()
    stage1 = net.find("stage1")
    net.set_param(stage1, "args", {"chanels": 3})
    assert "Block 'stage1': block definition 'basic' has no argument 'chanels'" in infer_shapes(net).errors[0].message
    net.set_param(stage1, "args", {})
    stage = net.library.definition("stage").network
    stage.set_param(stage.find("blocks"), "definition", "stage")  # a stage inside itself
    message = infer_shapes(net).nodes[net.find("stage2")].error
    assert "block definition 'stage' contains itself (stage › stage)" in message
    net.library.remove("stage")
    assert "its definition 'stage' is missing" in infer_shapes(net).nodes[net.find("stage2")].error


def test_argument_references_outside_a_block_are_errors() -> None:
    net = Network()
    x = net.add_node("Input", {"shape": [4]})
    dense = net.add_node("Dense", {"units": {"arg": "width"}}, name="d")
    out = net.add_node("Output")
    net.connect(x, dense)
    net.connect(dense, out)
    assert infer_shapes(net).error_for(dense) == ("Dense 'd': its 'units' refers to the block argument 'width', "
                                                  "but it is not inside a block")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.data())
def test_grouping_keeps_shapes_and_totals_on_random_networks(seed: int, data: st.DataObject) -> None:
    net = random_network(random.Random(seed), max_layers=8)
    flat = infer_shapes(net)
    inside = [n for n in net.node_ids if net.spec(n).role not in ("input", "output")]
    chosen = set(data.draw(st.lists(st.sampled_from(inside), min_size=1, unique=True)))
    crossing = [e for e in net.edges() if (e.source in chosen) != (e.target in chosen)]
    assume(flat.ok and all(e.key == ("out", "in") for e in crossing))
    try:
        done = group(net, chosen)
    except BlockError:
        assume(False)
    grouped = infer_shapes(done.network)
    assert grouped.ok, grouped.errors
    assert (grouped.total_params, grouped.total_macs, grouped.total_activations) == \
        (flat.total_params, flat.total_macs, flat.total_activations)
    (output,) = net.nodes_with_role("output")
    assert grouped.nodes[output].outputs == flat.nodes[output].outputs


def test_wires_to_ports_a_definition_no_longer_has_are_errors_on_the_block() -> None:
    net = small_resnet()
    basic = net.library.definition("basic").network
    basic.rename(basic.find("out"), "result")  # the output port is now called 'result'
    analysis = infer_shapes(net)
    message = analysis.error_for(net.find("stage1"))
    assert message == ("Block 'stage1': it is wired to its output port 'out', which its definition 'basic' does "
                       "not have (its outputs: result); rewire it")
    basic.rename(basic.find("in"), "x")
    assert "input port 'in'" in infer_shapes(net).error_for(net.find("stage1"))
