"""Undo/redo of every command kind returns exactly the previous graph, and the canvas follows."""

from __future__ import annotations

import pytest

from engine.builder import NetworkBuilder
from engine.project import Project
from gui.canvas.scene import CanvasScene
from gui.document.commands import (
    AddNodeCommand,
    ConnectCommand,
    DisconnectCommand,
    LayoutCommand,
    MoveCommand,
    PasteCommand,
    RemoveCommand,
    RenameCommand,
    SetParamCommand,
)
from gui.document.document import Document
from tests.gui.conftest import snapshot


@pytest.fixture
def doc(qapp) -> Document:
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28], name="input")
    x = b.add("Conv2d", x, name="conv", filters=6, kernel=5)
    x = b.add("ReLU", x, name="relu")
    x = b.add("Flatten", x, name="flat")
    x = b.add("Dense", x, name="fc", units=10)
    b.add("Output", x, name="out")
    return Document(Project(network=b.finish()))


def _ids(doc: Document, *names: str) -> list[str]:
    return [doc.network.find(n) for n in names]


def _commands(doc: Document) -> dict:
    net = doc.network
    conv, relu, flat, fc = _ids(doc, "conv", "relu", "flat", "fc")
    extra = net.add_node("Dense", {"units": 3}, name="spare")
    return {
        "add": lambda: AddNodeCommand(net, "MaxPool2d", (10.0, 20.0)),
        "remove with wires": lambda: RemoveCommand(net, [relu]),
        "remove wire": lambda: RemoveCommand(net, [], [net.in_edges(fc)[0]]),
        "connect": lambda: ConnectCommand(net, fc, extra),
        "disconnect": lambda: DisconnectCommand(net, net.in_edges(flat)[0]),
        "move": lambda: MoveCommand(net, {conv: (net.node(conv).position, (5.0, 500.0)),
                                          fc: (net.node(fc).position, (-3.0, 7.5))}),
        "set param": lambda: SetParamCommand(net, conv, "kernel", [3, 3]),
        "rename": lambda: RenameCommand(net, conv, "c1"),
        "paste": lambda: PasteCommand(net, [net.node(conv), net.node(relu)], [net.in_edges(relu)[0]]),
        "layout": lambda: LayoutCommand(net),
    }


@pytest.mark.parametrize("kind", ["add", "remove with wires", "remove wire", "connect", "disconnect", "move",
                                  "set param", "rename", "paste", "layout"])
def test_undo_redo_restores_exact_graph(doc: Document, kind: str) -> None:
    scene = CanvasScene(doc)
    make = _commands(doc)[kind]
    before = snapshot(doc.network)
    if kind == "layout":
        doc.network.move(doc.network.node_ids[0], (999.0, 999.0))
        before = snapshot(doc.network)
    assert doc.execute(make()) is None
    after = snapshot(doc.network)
    assert after != before
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert snapshot(doc.network) == before
    assert set(scene.nodes) == set(doc.network.node_ids)
    assert set(scene.edges) == set(doc.network.edges())
    doc.undo_stack.redo()
    assert snapshot(doc.network) == after
    assert set(scene.nodes) == set(doc.network.node_ids)
    assert set(scene.edges) == set(doc.network.edges())
    for node_id, item in scene.nodes.items():
        assert (item.pos().x(), item.pos().y()) == doc.network.node(node_id).position


def test_consecutive_edits_of_one_field_merge(doc: Document) -> None:
    conv = doc.network.find("conv")
    before = snapshot(doc.network)
    for filters in (7, 8, 9):
        assert doc.execute(SetParamCommand(doc.network, conv, "filters", filters)) is None
    doc.execute(SetParamCommand(doc.network, conv, "kernel", 3))
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.network.node(conv).params["filters"] == 9
    doc.undo_stack.undo()
    assert snapshot(doc.network) == before
    assert doc.undo_stack.undoText() == ""


def test_refused_edit_is_not_on_the_stack(doc: Document, qtbot) -> None:
    conv, fc = _ids(doc, "conv", "fc")
    before = snapshot(doc.network)
    with qtbot.waitSignal(doc.refused) as refused:
        reason = doc.execute(ConnectCommand(doc.network, fc, conv))
    assert "already connected" in reason and refused.args == [reason]
    assert doc.execute(SetParamCommand(doc.network, conv, "filters", 0)) is not None
    assert doc.undo_stack.count() == 0
    assert snapshot(doc.network) == before


def test_shapes_follow_edits_once_per_turn(doc: Document, qtbot) -> None:
    conv, flat = _ids(doc, "conv", "flat")
    seen = []
    doc.analysis_changed.connect(lambda analysis, changed: seen.append(changed))
    doc.execute(SetParamCommand(doc.network, conv, "filters", 4))
    doc.execute(SetParamCommand(doc.network, conv, "kernel", 3))
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert doc.analysis.nodes[flat].output_shape == (4 * 26 * 26,)
    assert {conv, flat} <= seen[0]
    assert doc.network.find("input") not in seen[0]  # only nodes whose info changed
