"""Group and ungroup: exact round trips (also on random networks), ports, refusals."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.blocks.definition import BlockError
from engine.blocks.group import group, ungroup
from engine.graph import Network
from engine.robustness.networks import random_network
from tests.engine.blocks.helpers import chain, graph_of


def _residual() -> tuple[Network, dict[str, str]]:
    net = Network()
    x = net.add_node("Input", {"shape": [4, 8, 8]}, name="x")
    conv1, relu1, conv2 = chain(net, [("Conv2d", {"filters": 4, "kernel": 3, "padding": 1}), ("ReLU", {}),
                                      ("Conv2d", {"filters": 4, "kernel": 3, "padding": 1})], x)
    add = net.add_node("Add", name="add")
    net.connect(conv2, add)
    net.connect(x, add)
    relu = net.add_node("ReLU", name="relu")
    net.connect(add, relu)
    out = net.add_node("Output", {"loss": "mse"})
    net.connect(relu, out)
    return net, {"x": x, "conv1": conv1, "relu1": relu1, "conv2": conv2, "add": add, "relu": relu, "out": out}


def test_group_makes_one_block_with_named_ports_and_ungroup_restores_it() -> None:
    net, ids = _residual()
    before = graph_of(net)
    done = group(net, [ids["conv1"], ids["relu1"], ids["conv2"], ids["add"], ids["relu"]], "basic")
    assert graph_of(net) == before  # the input network is left alone
    assert sorted(done.network.node_ids) == sorted([ids["x"], ids["out"], done.block])
    assert done.definition.inputs == ["in"] and done.definition.outputs == ["out"]
    assert [e.target_port for e in done.network.in_edges(done.block)] == ["in"]
    assert graph_of(ungroup(done.network, done.block)) == before


def test_several_ports_are_named_after_the_inner_layers_in_wiring_order() -> None:
    net, ids = _residual()
    done = group(net, [ids["conv2"], ids["add"]], "tail")
    # conv2 is fed by relu1, add by x: two outside values, so two input ports
    assert done.definition.inputs == ["in_conv2", "in_add"] or done.definition.inputs == ["in_add", "in_conv2"]
    assert done.definition.outputs == ["out"]
    assert graph_of(ungroup(done.network, done.block)) == graph_of(net)


def test_a_grouping_that_makes_a_loop_is_refused_naming_the_layer() -> None:
    net, ids = _residual()
    with pytest.raises(BlockError, match="loop through the block: 'relu1'"):
        group(net, [ids["conv1"], ids["conv2"]])


def test_input_and_output_stay_outside() -> None:
    net, ids = _residual()
    with pytest.raises(BlockError, match="'x' is the network's input"):
        group(net, [ids["x"], ids["conv1"]])
    with pytest.raises(BlockError, match="at least one layer"):
        group(net, [])


def test_nested_groups_round_trip() -> None:
    net, ids = _residual()
    inner = group(net, [ids["conv1"], ids["relu1"]], "pair")
    outer = group(inner.network, [inner.block, ids["conv2"], ids["add"]], "stage")
    assert outer.definition.used_definitions() == {"pair"}
    assert outer.network.library is not None and outer.network.library.names == ["pair", "stage"]
    back = ungroup(ungroup(outer.network, outer.block), inner.block)
    assert graph_of(back) == graph_of(net)


def test_ungroup_with_taken_names_and_ids_renames() -> None:
    net, ids = _residual()
    done = group(net, [ids["conv1"], ids["relu1"]], "pair")
    later = done.network
    later.add_node("ReLU", name="relu1", node_id=ids["relu1"])  # now taken at the top
    back = ungroup(later, done.block)
    names = [back.name_of(n) for n in back.node_ids]
    assert "relu1" in names and any(n.endswith("_relu1") for n in names)
    assert len(back) == len(net) + 1


def _contract_has_cycle(net: Network, chosen: set[str]) -> bool:
    graph = nx.DiGraph()
    graph.add_nodes_from("B" if n in chosen else n for n in net.node_ids)
    graph.add_edges_from(("B" if u in chosen else u, "B" if v in chosen else v)
                         for u, v in net.graph.edges() if not (u in chosen and v in chosen))
    return not nx.is_directed_acyclic_graph(graph)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.data())
def test_ungroup_of_group_is_the_same_graph_on_random_networks(seed: int, data: st.DataObject) -> None:
    net = random_network(random.Random(seed), max_layers=8)
    inside = [n for n in net.node_ids if net.spec(n).role not in ("input", "output")]
    chosen = data.draw(st.lists(st.sampled_from(inside), min_size=1, unique=True))
    if _contract_has_cycle(net, set(chosen)):
        with pytest.raises(BlockError, match="loop"):
            group(net, chosen)
        return
    done = group(net, chosen)
    assert set(done.network.node_ids) == set(net.node_ids) - set(chosen) | {done.block}
    assert graph_of(ungroup(done.network, done.block)) == graph_of(net)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1), st.data())
def test_nested_groups_round_trip_on_random_networks(seed: int, data: st.DataObject) -> None:
    net = random_network(random.Random(seed), max_layers=8)
    inside = [n for n in net.node_ids if net.spec(n).role not in ("input", "output")]
    first = data.draw(st.lists(st.sampled_from(inside), min_size=1, unique=True))
    assume(not _contract_has_cycle(net, set(first)))
    once = group(net, first, "inner")
    candidates = [n for n in once.network.node_ids if once.network.spec(n).role not in ("input", "output")]
    second = data.draw(st.lists(st.sampled_from(candidates), min_size=1, unique=True))
    assume(not _contract_has_cycle(once.network, set(second)))
    twice = group(once.network, second, "outer")
    back = ungroup(ungroup(twice.network, twice.block), once.block)  # the inner block is back at the top first
    assert graph_of(back) == graph_of(net)
