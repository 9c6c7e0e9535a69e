"""The fast share of benchmarks/bench_robustness.py: random networks of every layer type through
shape inference, compile and a forward pass, and damaged project files through load_project, with
the same generators and checks (engine/robustness). The last tests plant a bug of each kind the
checks look for and make sure they report it."""

from __future__ import annotations

import dataclasses
import random

import pytest
import torch

from engine import project as project_module
from engine.graph import Network
from engine.layers import SPECS, LayerCost
from engine.robustness import check
from engine.robustness.check import check_network, check_project_file, worst
from engine.robustness.corrupt import MUTATIONS, corrupt
from engine.robustness.networks import LAYER_SPECS, random_network
from engine.shapes import Issue
from tests.conftest import SAMPLES

DAGS = 200
FILES = 50


@pytest.fixture
def one_thread():
    """Small forward passes run fastest on one thread (and leave the other core to the rest)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_random_networks_infer_compile_and_run_as_inferred(one_thread):
    problems, accepted, ran, types = [], 0, 0, set()
    for seed in range(DAGS):
        network = random_network(random.Random(seed))
        verdict = check_network(network)
        problems += verdict.problems
        accepted += verdict.accepted
        ran += verdict.ran
        if verdict.ran:
            types |= {network.node(n).type for n in network.node_ids}
    assert not problems, worst(problems)
    assert DAGS // 4 <= ran <= accepted < DAGS * 3 // 4  # compile, forward and error reporting all exercised
    assert types == set(SPECS), f"never run: {set(SPECS) - types}"


def test_every_port_is_used():
    for seed in range(50):
        network = random_network(random.Random(seed))
        for node_id in network.node_ids:
            spec = network.spec(node_id)
            assert {e.target_port for e in network.in_edges(node_id)} == {p.name for p in spec.inputs}
            assert {e.source_port for e in network.out_edges(node_id)} == set(spec.outputs)
    assert len(LAYER_SPECS) == len(SPECS) - 2  # every type but the Input and Output is drawn inside


def test_damaged_project_files_are_refused_clearly_and_left_untouched(tmp_path, one_thread):
    rng = random.Random(0)
    problems, kinds, opened = [], set(), 0
    for index in range(FILES):
        kind, data = corrupt(rng, rng.choice(SAMPLES).read_bytes())
        path = tmp_path / f"damaged_{index}.layerlab"
        path.write_bytes(data)
        ok, found = check_project_file(path)
        problems += [(k, f"[{kind}] {detail}") for k, detail in found]
        kinds.add(kind)
        opened += ok
    assert not problems, worst(problems)
    assert kinds == set(MUTATIONS) and 0 < opened < FILES // 2


# -- the checks find what they look for ------------------------------------------------------
def two_by_two_pool() -> Network:
    net = Network()
    pool = net.add_node("AvgPool2d")
    net.connect(net.add_node("Input", {"shape": [1, 4, 4]}), pool)
    net.connect(pool, net.add_node("Output"))
    return net


def test_a_wrong_inferred_shape_is_reported(monkeypatch):
    wrong = dataclasses.replace(SPECS["AvgPool2d"], infer=lambda p, ins: LayerCost({"out": (1, 3, 3)}))
    monkeypatch.setitem(SPECS, "AvgPool2d", wrong)
    pool, output = check_network(two_by_two_pool()).problems  # the Output has the pool's shape
    params = "{'kernel': (2, 2), 'stride': (2, 2), 'padding': (0, 0), 'ceil_mode': False}"
    assert pool == (check.MISMATCH, f"AvgPool2d.out: inferred (1, 3, 3), real (1, 2, 2) (params {params})")
    params = "{'loss': 'cross_entropy', 'label_smoothing': 0.0}"
    assert output == (check.MISMATCH, f"Output.out: inferred (1, 3, 3), real (1, 2, 2) (params {params})")


def test_a_crash_an_unattributed_error_and_a_failing_forward_are_reported(monkeypatch):
    monkeypatch.setattr(check, "infer_shapes", lambda network: 1 / 0)
    assert check_network(two_by_two_pool()).problems[0][0] == check.CRASH
    monkeypatch.undo()
    monkeypatch.setattr("engine.shapes._network_errors", lambda network: [Issue(None, "somewhere")])
    assert check_network(two_by_two_pool()).problems == [(check.UNATTRIBUTED, "somewhere")]
    monkeypatch.undo()
    monkeypatch.setattr(check, "example_input", lambda network, batch: torch.ones(batch, 3))
    (problem,) = check_network(two_by_two_pool()).problems
    assert problem[0] == check.NO_RUN


def test_a_crash_or_a_change_while_opening_a_file_is_reported(tmp_path, monkeypatch):
    path = tmp_path / "project.layerlab"
    path.write_bytes(SAMPLES[0].read_bytes())
    assert check_project_file(path) == (True, [])
    monkeypatch.setattr(project_module, "project_from_json", lambda text: {}["graph"])
    assert check_project_file(path)[1][0][0] == check.OPEN_CRASH
    monkeypatch.setattr(project_module, "project_from_json",
                        lambda text: path.write_text("") or project_module.Project())
    assert check_project_file(path)[1][-1] == (check.CHANGED, "project.layerlab")
