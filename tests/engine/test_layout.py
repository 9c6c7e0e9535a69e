"""Automatic layered layout: top-to-bottom ranks, lanes for long wires, straight chains, wrapping."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.blocks.expand import flatten
from engine.builder import NetworkBuilder
from engine.errors import LayerLabError
from engine.graph import Network
from engine.layout import (
    COLUMN_WIDTH,
    GAP,
    LANE_WIDTH,
    NODE_SIZE,
    RANK_STEP,
    WRAP_GAP,
    Column,
    apply_layout,
    layered_positions,
    layout_columns,
)
from engine.project import load_project

W, H = NODE_SIZE
SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_projects").glob("*.layerlab"))


def chain(length: int) -> Network:
    b = NetworkBuilder()
    x = b.add("Input", shape=[8])
    for _ in range(length - 2):
        x = b.add("Dense", x, units=8)
    b.add("Output", x)
    return b.network


def column_of(columns: list[Column]) -> dict[str, int]:
    return {node: i for i, column in enumerate(columns) for node in column.positions}


def check_layout(network: Network, columns: list[Column], gap: tuple[float, float] = GAP,
                 wrap_gap: float = WRAP_GAP) -> dict[str, tuple[float, float]]:
    """The invariants every layout keeps; returns the positions."""
    pos = {n: p for column in columns for n, p in column.positions.items()}
    assert set(pos) == set(network.node_ids)
    where = column_of(columns)
    assert min(x for x, _ in pos.values()) == pytest.approx(0)
    assert min(y for _, y in pos.values()) == pytest.approx(0)
    for column in columns:  # cards in a row keep the gap between them: no overlaps
        rows: dict[float, list[float]] = {}
        for x, y in column.positions.values():
            assert (y / (H + gap[1])) == pytest.approx(round(y / (H + gap[1])))  # on a rank
            rows.setdefault(y, []).append(x)
        for xs in rows.values():
            xs.sort()
            assert all(b - a >= W + gap[0] - 1e-6 for a, b in zip(xs, xs[1:]))
        for (source, target), points in column.lanes.items():  # a lane never runs through a card
            for lane_x, lane_y in points:
                for x in rows.get(lane_y, []):
                    assert abs(lane_x - (x + W / 2)) >= (W + LANE_WIDTH) / 2, (source, target)
    for left, right in zip(columns, columns[1:]):  # columns side by side, a gutter between them
        assert min(x for x, _ in right.positions.values()) >= max(x for x, _ in left.positions.values()) + W + wrap_gap
    for edge in network.edges():  # wires run down a column, or on to a column further right
        (_, sy), (_, ty) = pos[edge.source], pos[edge.target]
        if where[edge.source] == where[edge.target]:
            assert ty >= sy + H + gap[1] - 1e-6
        else:
            assert where[edge.target] > where[edge.source]
    return pos


def chain_links(network: Network) -> list[tuple[str, str]]:
    """Wires whose source has no other successor and whose target no other predecessor."""
    graph = network.graph
    return [(e.source, e.target) for e in network.edges()
            if len(graph.succ[e.source]) == 1 and len(graph.pred[e.target]) == 1]


def assert_straight_chains(network: Network, columns: list[Column]) -> None:
    where = column_of(columns)
    pos = {n: p for column in columns for n, p in column.positions.items()}
    for source, target in chain_links(network):
        if where[source] == where[target]:
            assert pos[source][0] == pytest.approx(pos[target][0]), (network.name_of(source), network.name_of(target))


def wires_across(network: Network, columns: list[Column], cut: int) -> int:
    where = column_of(columns)
    pairs = {(e.source, e.target) for e in network.edges()}
    return sum(where[s] < cut <= where[t] for s, t in pairs)


def aspect_of(pos: dict[str, tuple[float, float]]) -> float:
    return (max(x for x, _ in pos.values()) + W) / (max(y for _, y in pos.values()) + H)


@pytest.fixture(scope="module")
def resnet18() -> Network:
    from engine.importers.torchvision_import import import_torchvision

    return import_torchvision("resnet18", (3, 224, 224), flat=True).project.network  # 60-odd cards


def test_empty_and_single_node():
    assert layered_positions(Network()) == {} and layout_columns(Network()) == []
    net = Network()
    node = net.add_node("Dense", position=(300.0, -20.0))
    assert layered_positions(net) == {node: (0.0, 0.0)}


def test_constants_keep_old_callers_working():
    assert NODE_SIZE[0] + GAP[0] == COLUMN_WIDTH and NODE_SIZE[1] + GAP[1] == RANK_STEP


def test_apply_layout_moves_nodes_and_returns_old_positions():
    net = chain(4)
    for i, node in enumerate(net.node_ids):
        net.move(node, (i * 10.0, 5.0))
    old = apply_layout(net, aspect=None)
    assert old == {node: (i * 10.0, 5.0) for i, node in enumerate(net.node_ids)}
    assert [net.node(n).position for n in net.node_ids] == [(0.0, i * RANK_STEP) for i in range(4)]


def test_chain_is_one_straight_column_without_wrapping():
    net = chain(50)
    columns = layout_columns(net, aspect=None)
    assert len(columns) == 1
    pos = check_layout(net, columns)
    assert {x for x, _ in pos.values()} == {0.0}
    assert sorted(y for _, y in pos.values()) == [i * RANK_STEP for i in range(50)]


@pytest.mark.parametrize("length, lowest, highest, tallest", [(3, 1, 1, 3), (8, 3, 3, 3), (14, 3, 5, 5)])
def test_long_chain_wraps_into_columns(length, lowest, highest, tallest):
    net = chain(length)
    columns = layout_columns(net, aspect=1.5)
    assert lowest <= len(columns) <= highest
    assert max(len(c.positions) for c in columns) <= tallest
    pos = check_layout(net, columns)
    assert_straight_chains(net, columns)
    assert all(wires_across(net, columns, cut) == 1 for cut in range(1, len(columns)))
    if len(columns) > 1:
        assert 1.5 / 1.6 <= aspect_of(pos) <= 1.5 * 1.6
        assert all(min(y for _, y in c.positions.values()) == 0 for c in columns)  # each starts at the top


def test_narrow_aspect_wraps_less_and_gaps_are_honoured():
    net = chain(30)
    wide, tall = layout_columns(net, aspect=3.0), layout_columns(net, aspect=0.5)
    assert len(wide) > len(tall) > 1
    check_layout(net, layout_columns(net, gap=(10.0, 20.0), wrap_gap=30.0), gap=(10.0, 20.0), wrap_gap=30.0)


def test_wide_graph_does_not_wrap_and_branches_sit_side_by_side():
    b = NetworkBuilder()
    x = b.add("Input", shape=[8])
    branches = [b.add("Dense", x, units=4) for _ in range(6)]
    b.add("Output", b.add("Concatenate", *branches))
    columns = layout_columns(b.network, aspect=1.5)
    assert len(columns) == 1
    pos = check_layout(b.network, columns)
    assert len({pos[n][1] for n in branches}) == 1
    xs = sorted(pos[n][0] for n in branches)
    assert xs == [xs[0] + i * (W + GAP[0]) for i in range(6)]


def test_residual_block_keeps_a_straight_main_path_and_a_free_lane_on_the_right():
    b = NetworkBuilder()
    x = b.add("Input", shape=[4, 8, 8])
    body = b.chain(x, ("Conv2d", {"filters": 4, "kernel": 3, "padding": 1}), ("BatchNorm2d",), ("ReLU",),
                   ("Conv2d", {"filters": 4, "kernel": 3, "padding": 1}))
    add = b.add("Add", body, x)
    b.add("Output", add)
    (column,) = layout_columns(b.network, aspect=None)
    pos = check_layout(b.network, [column])
    assert len({x for x, _ in pos.values()}) == 1  # the skip wire does not push a card sideways
    lane = column.lanes[(x, add)]
    assert [y for _, y in lane] == [RANK_STEP * r for r in range(1, 5)]
    assert {lx for lx, _ in lane} == {W + GAP[0] / 2 + LANE_WIDTH / 2}  # straight, beside the cards


def test_skip_wire_made_first_still_takes_the_lane_on_the_right():
    net = Network()
    x = net.add_node("Input", {"shape": [8]})
    add = net.add_node("Add")
    net.connect(x, add)
    body = [net.add_node("Dense", {"units": 8}) for _ in range(3)]
    for a, b in zip([x, *body], [*body, add]):
        net.connect(a, b)
    (column,) = layout_columns(net, aspect=None)
    pos = check_layout(net, [column])
    assert len({x for x, _ in pos.values()}) == 1
    assert all(lx > W for lx, _ in column.lanes[(x, add)])


def test_port_order_first_output_port_left_and_input_ports_in_order():
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 8, 8])
    pool = b.add("MaxPool2d", x, kernel=2, stride=2)
    body = b.chain(pool, ("Conv2d", {"filters": 1, "kernel": 3, "padding": 1}), ("ReLU",))
    unpool = b.add("MaxUnpool2d", body, kernel=2, stride=2)
    b.network.connect(pool, unpool, "indices", "indices")
    b.add("Output", unpool)
    (column,) = layout_columns(b.network, aspect=None)
    pos = check_layout(b.network, [column])
    assert len({x for x, _ in pos.values()}) == 1
    assert all(lx > W for lx, _ in column.lanes[(pool, unpool)])  # the indices lane runs on the right

    b = NetworkBuilder()  # wired in the "wrong" order: port order wins over wiring order
    x = b.add("Input", shape=[1, 8, 8])
    second, first = b.add("ReLU", x), b.add("ReLU", x)
    unpool = b.add("MaxUnpool2d", first, kernel=2, stride=2)
    b.network.connect(second, unpool, "out", "indices")
    pos = layered_positions(b.network, aspect=None)
    assert pos[first][0] < pos[second][0]


def test_second_input_sits_just_above_its_consumer():
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[8]), *[("Dense", {"units": 8})] * 5)
    late = b.add("Input", shape=[8])
    add = b.add("Add", x, late)
    pos = check_layout(b.network, layout_columns(b.network, aspect=None))
    assert pos[late][1] == pos[add][1] - RANK_STEP


def test_disconnected_parts_do_not_overlap():
    b = NetworkBuilder()
    for length in (5, 3):
        b.chain(b.add("Input", shape=[8]), *[("Dense", {"units": 8})] * length)
    b.add("Dense", units=3)
    for aspect in (None, 1.5):
        check_layout(b.network, layout_columns(b.network, aspect=aspect))


def test_layout_is_deterministic():
    net = load_project(SAMPLES[0]).network
    assert layered_positions(net) == layered_positions(net.copy())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_samples_lay_out_cleanly(path):
    net = load_project(path).network
    for aspect in (None, 1.5):
        columns = layout_columns(net, aspect=aspect)
        check_layout(net, columns)
        assert_straight_chains(net, columns)


def test_resnet_sample_cuts_between_blocks_and_lanes_run_right_of_the_adds():
    blocks = load_project(next(p for p in SAMPLES if p.stem == "resnet_mnist")).network
    net = flatten(blocks)  # the residual blocks' layers and skip wires at the top level
    columns = layout_columns(net, aspect=1.5)
    assert len(columns) > 1
    assert all(wires_across(net, columns, cut) == 1 for cut in range(1, len(columns)))
    pos = layered_positions(net)
    for column in columns:
        for (_, target), points in column.lanes.items():
            assert len({x for x, _ in points}) == 1
            if target in column.positions:
                assert points[0][0] > pos[target][0] + W


def test_imported_resnet18(resnet18):
    for aspect in (None, 1.5):
        columns = layout_columns(resnet18, aspect=aspect)
        check_layout(resnet18, columns)
        assert_straight_chains(resnet18, columns)
    assert 4 <= len(columns) <= 12
    assert all(wires_across(resnet18, columns, cut) == 1 for cut in range(1, len(columns)))
    assert 1.5 / 1.6 <= aspect_of(layered_positions(resnet18)) <= 1.5 * 1.6


def random_network(n: int, wires: list[tuple[int, int, int]]) -> Network:
    """Adds and max-pools (two outputs) wired at random, always from lower to higher index."""
    net = Network()
    kinds = ["Add", "MaxPool2d", "Concatenate"]
    nodes = [net.add_node(kinds[i % 3] if i % 4 else "Add") for i in range(n)]
    for a, b, port in wires:
        source, target = nodes[min(a, b) % n], nodes[max(a, b) % n]
        if source == target:
            continue
        source_port = "indices" if port and net.node(source).type == "MaxPool2d" else "out"
        try:
            net.connect(source, target, source_port, "in")
        except LayerLabError:
            pass  # taken single input, duplicate wire
    return net


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 40),
       wires=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39), st.integers(0, 1)), max_size=80),
       aspect=st.sampled_from([None, 0.5, 1.5, 4.0]))
def test_random_dags_never_overlap_and_wires_run_down(n, wires, aspect):
    net = random_network(n, wires)
    check_layout(net, layout_columns(net, aspect=aspect))
