"""Instances of one block with the same arguments and input shapes are analysed once per inference,
each keeping its own module path; anything different is analysed again."""

from __future__ import annotations

from engine.blocks.builtin import add_builtin
from engine.blocks.expand import flatten
from engine.builder import NetworkBuilder
from engine.shapes import infer_shapes


def _network(channels: list[int]):
    b = NetworkBuilder()
    net = b.network
    net, _ = add_builtin(net, "conv_bn_relu")
    b.network = net
    x = b.add("Input", shape=[3, 16, 16])
    for c in channels:
        x = b.add("Block", x, definition="conv_bn_relu", args={"channels": c})
    b.add("Output", b.add("Flatten", x))
    return b.network


def test_equal_instances_share_one_analysis_with_their_own_paths() -> None:
    net = _network([8, 8, 8, 16])
    analysis = infer_shapes(net)
    blocks = net.nodes_of_type("Block")
    inner = [analysis.nodes[n].inner[0] for n in blocks]
    assert [a.path for a in inner] == [net.name_of(n) for n in blocks]
    assert inner[1].nodes is inner[2].nodes  # the same arguments and input shapes: analysed once
    assert inner[0].nodes is not inner[1].nodes  # 3 input channels, not 8
    assert inner[3].nodes is not inner[2].nodes and inner[3].args == {**inner[2].args, "channels": 16}
    flat = infer_shapes(flatten(net))
    assert (analysis.total_params, analysis.total_macs) == (flat.total_params, flat.total_macs)
