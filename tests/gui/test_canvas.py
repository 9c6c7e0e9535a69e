"""Mouse and keyboard on the canvas: drop from the palette, wire ports, refused wires, selection,
move as one undo step, zoom around the cursor, in-place rename, copy/paste between windows."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from gui.common import style
from gui.document.commands import AddNodeCommand
from gui.editor.palette import TYPE_ROLE, layer_mime


def _add(window, type_id: str, x: float, y: float, **params) -> str:
    command = AddNodeCommand(window.document.network, type_id, (x, y), params)
    assert window.document.execute(command) is None
    return command.node_id


def _port_point(window, node_id: str, port: str, output: bool) -> QPoint:
    item = window.scene.nodes[node_id]
    port_item = (item.outputs if output else item.inputs)[port]
    return window.view.mapFromScene(port_item.anchor())


def _drag(qtbot, widget, start: QPoint, end: QPoint, button=Qt.MouseButton.LeftButton) -> None:
    qtbot.mousePress(widget, button, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(widget, start + (end - start) * step / 5)
    qtbot.mouseRelease(widget, button, pos=end)


def test_drag_layer_from_palette_onto_canvas(window, qtbot) -> None:
    item = window.palette.items["Conv2d"]
    assert item.flags() & Qt.ItemFlag.ItemIsDragEnabled and item.data(0, TYPE_ROLE) == "Conv2d"
    assert "convolution" in item.toolTip(0).lower()
    viewport, point = window.view.viewport(), QPoint(300, 200)
    mime = layer_mime("Conv2d")
    actions, buttons, mods = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    try:  # PySide6 >= 6.12 takes a QPointF; earlier versions a QPoint
        enter = QDragEnterEvent(QPointF(point), actions, mime, buttons, mods)
    except TypeError:
        enter = QDragEnterEvent(point, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDropEvent(QPointF(point), actions, mime, buttons, mods, QEvent.Type.Drop))
    net = window.document.network
    assert net.nodes_of_type("Conv2d") == net.node_ids
    node = net.node(net.node_ids[0])
    drop = window.view.mapToScene(point)
    assert abs(node.position[0] + style.NODE_WIDTH / 2 - drop.x()) < 1
    assert abs(node.position[1] + style.NODE_HEIGHT / 2 - drop.y()) < 1
    assert window.scene.selected_node_ids() == [node.id]
    assert window.document.undo_stack.undoText() == "Add Conv2d"
    assert window.act_undo.text() == "&Undo Add Conv2d"  # the Edit menu names the step


def test_palette_search_and_double_click_chain(window, qtbot) -> None:
    window.palette.search.setText("pool max")
    assert window.palette.visible_types()[0] == "MaxPool2d" and "Dense" not in window.palette.visible_types()
    window.palette.search.clear()
    first = window.edits.add_layer("Input")
    window.palette.add_requested.emit("Flatten")  # what a double-click emits
    net = window.document.network
    flatten = net.nodes_of_type("Flatten")[0]
    assert [e.source for e in net.in_edges(flatten)] == [first]  # placed after the selection, wired
    window.document.undo_stack.undo()  # one step: the add and its wire
    assert net.node_ids == [first]


def test_wire_two_nodes_with_the_mouse(window, qtbot) -> None:
    a = _add(window, "Input", 0, 0, shape=[1, 28, 28])
    b = _add(window, "Flatten", 260, 40)
    window.view.resetTransform()
    window.view.centerOn(200, 50)
    viewport = window.view.viewport()
    _drag(qtbot, viewport, _port_point(window, a, "out", True), _port_point(window, b, "in", False))
    edges = window.document.network.edges()
    assert [(e.source, e.target) for e in edges] == [(a, b)]
    assert window.scene.edges[edges[0]].source.node_id == a
    qtbot.waitUntil(lambda: window.scene.edges[edges[0]].label == "1×28×28")
    assert window.scene.nodes[b].info.output_shape == (784,)


def test_refused_connection_shows_the_reason(window, qtbot) -> None:
    a = _add(window, "Input", 0, 0)
    add = _add(window, "Add", 260, 0)
    relu = _add(window, "ReLU", 520, 0)
    net = window.document.network
    net_edges = lambda: len(net.edges())  # noqa: E731
    window.scene.connect_ports(a, add, "out", "in")
    window.scene.connect_ports(add, relu, "out", "in")
    window.view.resetTransform()
    window.view.centerOn(300, 50)
    viewport = window.view.viewport()
    _drag(qtbot, viewport, _port_point(window, relu, "out", True), _port_point(window, add, "in", False))
    assert net_edges() == 2
    assert window.view.toast.isVisible() and "loop" in window.view.toast.text()
    assert "loop" in window.statusBar().currentMessage()
    _drag(qtbot, viewport, _port_point(window, a, "out", True), _port_point(window, relu, "in", False))
    assert net_edges() == 2 and "already connected" in window.view.toast.text()
    assert window.document.undo_stack.count() == 5  # 3 adds + 2 connects; refusals add nothing


def test_move_is_one_undo_step_per_drag(window, qtbot) -> None:
    a = _add(window, "Input", 0, 0)
    b = _add(window, "ReLU", 260, 0)
    window.view.resetTransform()
    window.view.centerOn(200, 50)
    window.edits.select_all()
    viewport = window.view.viewport()
    start = window.view.mapFromScene(QPointF(60, 60))
    count = window.document.undo_stack.count()
    _drag(qtbot, viewport, start, start + QPoint(50, 30))
    net = window.document.network
    assert net.node(a).position == (50.0, 30.0) and net.node(b).position == (310.0, 30.0)
    assert window.document.undo_stack.count() == count + 1
    window.document.undo_stack.undo()
    assert net.node(a).position == (0.0, 0.0)
    assert window.scene.nodes[b].pos() == QPointF(260, 0)


def test_keyboard_delete_duplicate_select_all(window, qtbot) -> None:
    a = _add(window, "Input", 0, 0)
    b = _add(window, "ReLU", 260, 0)
    window.scene.connect_ports(a, b, "out", "in")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert set(window.scene.selected_node_ids()) == {a, b}
    qtbot.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    net = window.document.network
    assert len(net) == 4 and len(net.edges()) == 2
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert sorted(net.node_ids) == sorted([a, b]) and len(window.scene.nodes) == 2
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(net) == 4 and len(window.scene.edges) == 2


def _wheel(view, cursor: QPoint, dy: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    event = QWheelEvent(QPointF(cursor), QPointF(view.viewport().mapToGlobal(cursor)), QPoint(0, 0), QPoint(0, dy),
                        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)


def test_ctrl_wheel_zooms_around_the_cursor_and_the_wheel_scrolls(window, qtbot) -> None:
    _add(window, "Input", 0, 0)
    view = window.view
    view.resetTransform()
    cursor = QPoint(250, 180)
    before = view.mapToScene(cursor)
    _wheel(view, cursor, 240, Qt.KeyboardModifier.ControlModifier)
    assert abs(view.zoom() - 1.15 ** 2) < 1e-6
    after = view.mapToScene(cursor)
    assert abs(after.x() - before.x()) < 2 and abs(after.y() - before.y()) < 2
    _wheel(view, cursor, -240)  # the wheel alone scrolls down, at the same zoom
    assert abs(view.zoom() - 1.15 ** 2) < 1e-6 and view.mapToScene(cursor).y() > after.y() + 50
    view.fit()
    assert view.zoom() <= 1.0 and view.viewport().rect().contains(view.mapFromScene(QPointF(10, 10)))


def test_middle_button_pans(window, qtbot) -> None:
    view = window.view
    view.resetTransform()
    start, end = QPoint(300, 300), QPoint(200, 250)
    before = view.mapToScene(start)
    _drag(qtbot, view.viewport(), start, end, Qt.MouseButton.MiddleButton)
    after = view.mapToScene(end)
    assert abs(after.x() - before.x()) < 2 and abs(after.y() - before.y()) < 2
    view.setFocus()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    before = view.mapToScene(end)
    _drag(qtbot, view.viewport(), end, start)  # Space + left drag pans instead of selecting
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    after = view.mapToScene(start)
    assert abs(after.x() - before.x()) < 2 and abs(after.y() - before.y()) < 2


def test_rename_in_place(window, qtbot) -> None:
    a = _add(window, "Input", 0, 0)
    b = _add(window, "ReLU", 260, 0)
    window.scene.rename_requested.emit(b)
    editor = window.view._editor
    assert editor is not None and editor.text() == "relu1"
    editor.setText("activation")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.document.network.name_of(b) == "activation"
    assert window.scene.nodes[b].name == "activation"
    window.view.start_rename(b)
    window.view._editor.setText(window.document.network.name_of(a))
    qtbot.keyClick(window.view._editor, Qt.Key.Key_Return)
    assert window.document.network.name_of(b) == "activation"
    assert "already named" in window.view.toast.text()


def test_copy_paste_between_windows(make_window, qtbot) -> None:
    first, second = make_window(), make_window()
    a = _add(first, "Input", 0, 0)
    b = _add(first, "Conv2d", 260, 0, filters=5)
    first.scene.connect_ports(a, b, "out", "in")
    first.edits.select_all()
    first.act_copy.trigger()
    pasted = second.edits.paste()
    net = second.document.network
    assert len(pasted) == 2 and len(net.edges()) == 1
    conv = net.nodes_of_type("Conv2d")[0]
    assert net.node(conv).params["filters"] == 5 and net.name_of(conv) == "conv1"
    again = first.edits.paste()  # into the same window: new names, offset copies
    assert len(first.document.network) == 4
    assert {first.document.network.node(n).position for n in again} == {(40.0, 40.0), (300.0, 40.0)}
