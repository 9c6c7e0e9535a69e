"""Building from the keyboard: Ctrl+F from anywhere, best match on Enter, arrows in the results,
Escape back to the canvas, insert-after into the wire, arrows along wires, connect two layers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gui.document.commands import AddNodeCommand, ConnectCommand
from gui.editor.palette import match_rank
from tests.gui.conftest import SAMPLES


def _type(qtbot, widget, text: str) -> None:
    qtbot.keyClicks(widget, text)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def _cards_overlap(window) -> list[tuple[str, str]]:
    items = list(window.scene.nodes.values())
    return [(a.name, b.name) for i, a in enumerate(items) for b in items[i + 1:]
            if a.card_rect().intersects(b.card_rect())]


def test_best_match_prefers_exact_name_then_prefix_then_words() -> None:
    assert match_rank("output", "Output", "Output", "output ... input") == 0
    assert match_rank("out", "Output", "Output", "") == 1
    assert match_rank("pool", "Global average pool", "GlobalAvgPool", "") == 2
    assert match_rank("output", "Input", "Input", "where data enters; its output feeds the network") == 3
    assert match_rank("zzz", "Input", "Input", "input") is None


def test_build_input_dense_output_from_the_keyboard(window, qtbot) -> None:
    window.palette.setFocus()  # focus anywhere but the canvas: Ctrl+F still reaches the search
    qtbot.keyClick(window.summary, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.palette.search.hasFocus()
    for name in ("input", "dense", "output"):
        _type(qtbot, window.palette.search, name)
    net = window.document.network
    order = [net.node(n).type for n in net.topological_order()]
    assert order == ["Input", "Dense", "Output"]
    assert [(net.node(e.source).type, net.node(e.target).type) for e in net.edges()] == [
        ("Input", "Dense"), ("Dense", "Output")]
    assert not _cards_overlap(window)
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Escape)
    assert window.view.hasFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Up)  # the selection walks up the wires from Output
    assert [net.node(n).type for n in window.scene.selected_node_ids()] == ["Dense"]
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)  # Delete edits the network, not the search text
    assert "Dense" not in [net.node(n).type for n in net.node_ids]
    assert window.palette.search.text() == "output"


def test_arrows_in_the_search_and_enter_in_the_list(window, qtbot) -> None:
    window.show_palette_search()
    qtbot.keyClicks(window.palette.search, "relu")
    assert window.palette.current_type() == "ReLU"
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Down)
    moved = window.palette.current_type()
    assert moved != "ReLU" and moved in window.palette.visible_types()
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Return)
    assert [window.document.network.node(n).type for n in window.document.network.node_ids] == [moved]
    window.palette.tree.setFocus()
    window.palette.tree.setCurrentItem(window.palette.items["Tanh"])
    qtbot.keyClick(window.palette.tree, Qt.Key.Key_Return)
    assert "Tanh" in [window.document.network.node(n).type for n in window.document.network.node_ids]


def test_insert_after_goes_into_the_outgoing_wire_and_makes_room(window, qtbot) -> None:
    assert window.files.open_path(SAMPLES / "mnist_mlp.layerlab", ask=False)
    net = window.document.network
    first = net.nodes_of_type("Input")[0]
    after = net.out_edges(first)[0].target
    window.scene.select_nodes([first])
    window.palette.add_requested.emit("Dropout")  # what a double-click on the palette sends
    dropout = net.nodes_of_type("Dropout")[-1]
    assert [e.target for e in net.out_edges(first)] == [dropout]
    assert [e.target for e in net.out_edges(dropout)] == [after]
    QApplication.processEvents()
    assert not _cards_overlap(window)
    window.document.undo_stack.undo()  # one step: the add, the wires and the room made
    assert [e.target for e in net.out_edges(first)] == [after] and dropout not in net
    assert not _cards_overlap(window)


def test_connect_the_two_selected_layers(window, qtbot) -> None:
    net = window.document.network
    add_a, add_b = AddNodeCommand(net, "Input", (0, 0)), AddNodeCommand(net, "Flatten", (0, 300))
    window.document.execute(add_a)
    window.document.execute(add_b)
    window.scene.select_nodes([add_b.node_id, add_a.node_id])
    window.act_connect.trigger()
    assert [(e.source, e.target) for e in net.edges()] == [(add_a.node_id, add_b.node_id)]
    window.scene.select_nodes([add_a.node_id])
    assert window.edits.connect_selected() is not None  # one layer: a reason, nothing wired
    assert len(net.edges()) == 1


def test_arrow_keys_walk_along_the_wires(window, qtbot) -> None:
    assert window.files.open_path(SAMPLES / "lenet5.layerlab", ask=False)
    net = window.document.network
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Down)  # nothing selected: the Input
    assert window.scene.selected_node_ids() == net.nodes_of_type("Input")
    qtbot.keyClick(window.view, Qt.Key.Key_Down)
    (second,) = window.scene.selected_node_ids()
    assert [e.source for e in net.in_edges(second)] == net.nodes_of_type("Input")
    qtbot.keyClick(window.view, Qt.Key.Key_Up)
    assert window.scene.selected_node_ids() == net.nodes_of_type("Input")


def test_connect_refused_with_the_reason(window, qtbot) -> None:
    net = window.document.network
    a, b = AddNodeCommand(net, "Input", (0, 0)), AddNodeCommand(net, "Input", (0, 300))
    window.document.execute(a)
    window.document.execute(b)
    window.scene.select_nodes([a.node_id, b.node_id])
    assert "no input" in (window.edits.connect_selected() or "")
    assert not net.edges()
    assert window.document.execute(ConnectCommand(net, a.node_id, b.node_id)) is not None
