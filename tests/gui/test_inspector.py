"""The inspector's typed editors: live, undoable edits that update shapes downstream; refusals say why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from engine.builder import NetworkBuilder
from engine.project import Project
from gui.editor.param_editors import parse_shape


def _lenet_head(window) -> dict[str, str]:
    b = NetworkBuilder()
    ids = {"input": b.add("Input", shape=[1, 28, 28], name="input")}
    ids["conv"] = b.add("Conv2d", ids["input"], name="conv", filters=6, kernel=5)
    ids["pool"] = b.add("MaxPool2d", ids["conv"], name="pool")
    ids["flat"] = b.add("Flatten", ids["pool"], name="flat")
    ids["fc"] = b.add("Dense", ids["flat"], name="fc", units=10)
    ids["out"] = b.add("Output", ids["fc"], name="out")
    window.document.set_project(Project(network=b.finish()))
    return ids


def test_editors_are_typed_from_the_schema(window) -> None:
    ids = _lenet_head(window)
    window.scene.select_nodes([ids["conv"]])
    editors = window.inspector.editors
    assert isinstance(editors["filters"].spin, QSpinBox) and editors["filters"].spin.value() == 6
    assert all(isinstance(s, QSpinBox) for s in editors["kernel"].spins)
    assert isinstance(editors["bias"].box, QCheckBox)
    window.scene.select_nodes([ids["out"]])
    assert isinstance(window.inspector.editors["loss"].combo, QComboBox)
    assert isinstance(window.inspector.editors["label_smoothing"].spin, QDoubleSpinBox)
    window.scene.select_nodes([ids["input"]])
    assert isinstance(window.inspector.editors["shape"].line, QLineEdit)
    assert window.inspector.help_label.text().startswith("Where samples enter")


def test_editing_a_param_updates_shapes_downstream(window, qtbot) -> None:
    ids = _lenet_head(window)
    scene = window.scene
    assert scene.nodes[ids["flat"]].info.output_shape == (6 * 12 * 12,)
    window.scene.select_nodes([ids["conv"]])
    window.inspector.editors["filters"].spin.setValue(16)
    window.inspector.editors["kernel"].spins[0].setValue(3)
    qtbot.waitUntil(lambda: scene.nodes[ids["flat"]].info.output_shape == (16 * 13 * 12,))
    assert scene.edges[window.document.network.in_edges(ids["fc"])[0]].label == f"{16 * 13 * 12}"
    assert window.summary.summary.rows[window.summary.summary.row_of(ids["flat"])][1][2] == f"{16 * 13 * 12}"
    total = window.document.analysis.total_params
    assert f"{total:,} parameters" in window.totals_label.text()
    window.document.undo_stack.undo()  # the kernel edit
    window.document.undo_stack.undo()  # the filters edit (one step, however many keystrokes)
    qtbot.waitUntil(lambda: scene.nodes[ids["flat"]].info.output_shape == (6 * 12 * 12,))
    assert window.inspector.editors["filters"].spin.value() == 6


def test_invalid_value_is_refused_with_the_reason(window, qtbot) -> None:
    ids = _lenet_head(window)
    window.scene.select_nodes([ids["conv"]])
    spin = window.inspector.editors["filters"].spin
    spin.setValue(0)  # one below the allowed range, so the engine explains the limit
    error = window.inspector.errors["filters"]
    assert not error.isHidden() and "at least 1" in error.text()
    assert window.document.network.node(ids["conv"]).params["filters"] == 6
    assert window.document.undo_stack.count() == 0
    spin.editingFinished.emit()
    assert spin.value() == 6
    window.scene.select_nodes([ids["input"]])
    line = window.inspector.editors["shape"].line
    line.setText("1, twenty")
    line.editingFinished.emit()
    assert "whole numbers" in window.inspector.errors["shape"].text()
    line.setText("[3, 32, 32]")
    line.editingFinished.emit()
    assert window.document.network.node(ids["input"]).params["shape"] == (3, 32, 32)


def test_error_badge_appears_and_clears_at_once(window, qtbot) -> None:
    ids = _lenet_head(window)
    window.scene.select_nodes([ids["conv"]])
    window.inspector.editors["kernel"].spins[0].setValue(40)  # larger than the 28-pixel image
    node = window.scene.nodes[ids["conv"]]
    qtbot.waitUntil(lambda: node.error is not None)
    assert "Conv2d 'conv'" in node.toolTip() and "error" in window.error_button.text()
    assert node.error in window.statusBar().currentMessage()
    window.inspector.editors["kernel"].spins[0].setValue(5)
    qtbot.waitUntil(lambda: node.error is None)
    assert "no errors" in window.error_button.text()


def test_rename_from_inspector_and_summary_click_selects(window, qtbot) -> None:
    ids = _lenet_head(window)
    window.scene.select_nodes([ids["fc"]])
    window.inspector.name_edit.setText("classifier")
    window.inspector.name_edit.editingFinished.emit()
    assert window.document.network.name_of(ids["fc"]) == "classifier"
    table = window.summary
    row = table.summary.row_of(ids["pool"])
    table.clicked.emit(table.model().index(row, 0))
    assert window.scene.selected_node_ids() == [ids["pool"]]
    assert window.inspector.name_edit.text() == "pool"
    assert table.model().rowCount() == len(window.document.network)  # the totals are not a row to scroll to
    totals = table.footer
    assert totals.isVisible() and totals.model().index(0, 0).data() == "Total"
    assert totals.geometry().top() >= table.viewport().geometry().bottom()  # pinned under the rows


def test_parse_shape_accepts_common_spellings() -> None:
    assert parse_shape("1, 28, 28") == parse_shape("[1, 28, 28]") == parse_shape("1x28x28") == [1, 28, 28]


def test_summary_totals_stay_in_view_fit_their_columns_and_say_when_partial(make_window, qtbot) -> None:
    from gui.document.commands import SetParamCommand
    from tests.gui.conftest import SAMPLES

    window = make_window(SAMPLES / "resnet_mnist.layerlab")
    table, summary = window.summary, window.summary.summary
    window.docks["Summary"].raise_()
    qtbot.waitUntil(lambda: table.isVisible())
    footer = table.footer
    assert summary.totals[0] == "Total" and summary.totals[5] == f"{window.document.analysis.total_params:,}"
    for scroll in (table.scrollToBottom, table.scrollToTop):
        scroll()
        assert footer.isVisible() and footer.geometry().top() >= table.viewport().geometry().bottom()
    for column, text in enumerate(summary.totals):  # bold totals in full, every other column too
        assert footer.fontMetrics().horizontalAdvance(text) < table.columnWidth(column)
        assert table.fontMetrics().horizontalAdvance(summary.widest(column)[0]) < table.columnWidth(column)
    network = window.document.network
    window.document.execute(SetParamCommand(network, network.nodes_of_type("Input")[0], "shape", [1, 28]))
    window.document.refresh_analysis()
    known = len(network) - len(window.document.analysis.unknown_layers)
    assert summary.totals[1] == f"{known} of {len(network)} layers"
    tip = footer.model().index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(f"Totals of the {known} of {len(network)} layers with known shapes")
