"""The network document: validated edits, typed errors and change events."""

from __future__ import annotations

import pytest

from engine.errors import (
    CycleError,
    NameTakenError,
    ParamError,
    PortOccupiedError,
    UnknownLayerTypeError,
    UnknownPortError,
)
from engine.graph import Edge, Network, python_name


@pytest.fixture
def chain() -> tuple[Network, list[str]]:
    net = Network()
    ids = [net.add_node("Input", {"shape": [4]}), net.add_node("Dense", {"units": 3}),
           net.add_node("ReLU"), net.add_node("Output")]
    for a, b in zip(ids, ids[1:]):
        net.connect(a, b)
    return net, ids


def test_ids_are_stable_strings_and_names_unique(chain):
    net, ids = chain
    assert ids == ["n1", "n2", "n3", "n4"]
    assert [net.name_of(i) for i in ids] == ["input1", "fc1", "relu1", "output1"]
    assert net.add_node("Dense") == "n5" and net.name_of("n5") == "fc2"


def test_cycle_is_refused(chain):
    net, (inp, dense, relu, out) = chain
    first, second = net.add_node("Add"), net.add_node("Add")
    net.connect(relu, first)
    net.connect(first, second)
    with pytest.raises(CycleError, match="loop"):
        net.connect(second, first)
    with pytest.raises(CycleError):
        net.connect(first, first)


def test_second_wire_into_single_input_is_refused_but_merge_accepts_many(chain):
    net, (inp, dense, relu, out) = chain
    with pytest.raises(PortOccupiedError, match="already connected"):
        net.connect(inp, relu)
    add = net.add_node("Add")
    net.connect(dense, add)
    net.connect(relu, add)
    assert [e.source for e in net.in_edges(add)] == [dense, relu]


def test_unknown_type_port_and_bad_params_are_typed_errors(chain):
    net, (inp, dense, *_rest) = chain
    with pytest.raises(UnknownLayerTypeError, match="Did you mean Dense"):
        net.add_node("Dens")
    with pytest.raises(UnknownPortError, match="indices"):
        net.connect(dense, net.add_node("ReLU"), source_port="indices")
    with pytest.raises(ParamError, match="at least 1"):
        net.set_param(dense, "units", 0)
    with pytest.raises(ParamError, match="whole number"):
        net.set_param(dense, "units", 2.5)
    with pytest.raises(ParamError, match="has no parameter"):
        net.add_node("Dense", {"unit": 3})
    with pytest.raises(NameTakenError):
        net.rename(dense, "input1")


def test_pairs_accept_one_number_or_per_axis_values():
    net = Network()
    conv = net.add_node("Conv2d", {"kernel": 5, "stride": [3, 2]})
    assert net.node(conv).params["kernel"] == (5, 5)
    assert net.node(conv).params["stride"] == (3, 2)


def test_events_describe_each_change(chain):
    net, (inp, dense, relu, out) = chain
    seen = []
    net.subscribe(seen.append)
    net.set_param(dense, "units", 5)
    net.rename(dense, "hidden")
    net.move(dense, (10, 20))
    net.remove_node(relu)
    kinds = [c.kind for c in seen]
    assert kinds == ["param_changed", "renamed", "moved", "edge_removed", "edge_removed", "node_removed"]
    assert seen[0].old == 3 and seen[0].new == 5
    assert seen[-1].old.name == "relu1"


def test_bulk_edits_send_one_reset(chain):
    net, ids = chain
    seen = []
    net.subscribe(seen.append)
    with net.bulk():
        net.set_param(ids[1], "units", 7)
        net.move(ids[1], (1, 1))
    assert [c.kind for c in seen] == ["reset"]


def test_restore_puts_a_removed_node_back_exactly(chain):
    net, (inp, dense, relu, out) = chain
    edges = net.in_edges(relu) + net.out_edges(relu)
    orders = [net.edge_order(e) for e in edges]
    data = net.remove_node(relu)
    net.restore_node(data)
    for edge, order in zip(edges, orders):
        net.connect(edge.source, edge.target, edge.source_port, edge.target_port, order=order)
    assert net.node(relu) == data
    assert net.edges() == [Edge("n1", "n2"), Edge("n2", "n3"), Edge("n3", "n4")]


def test_copy_is_independent(chain):
    net, ids = chain
    other = net.copy()
    other.set_param(ids[1], "units", 9)
    assert net.node(ids[1]).params["units"] == 3
    assert other.add_node("ReLU") == "n5"


def test_python_name():
    assert python_name("conv 1") == "conv_1"
    assert python_name("1st") == "_1st"
    assert python_name("***") == "layer"
