"""The window a newcomer meets: menus in the usual order, a toolbar with the run controls, the
start page, help, fresh state, friendly status, the Inspector on selection, the edit lock."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from gui.document.commands import AddNodeCommand, ConnectCommand, MoveCommand, SetParamCommand
from gui.shell import help as help_texts
from tests.gui.conftest import SAMPLES


def test_menus_and_an_always_visible_toolbar(window) -> None:
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Run", "Help"]
    shown = [a.iconText() for a in window.toolbar.actions() if a.iconText()]
    for name in ("Train", "Pause", "Step", "Stop", "Fit", "Layout", "Undo", "Redo"):
        assert name in shown
    assert window.toolbar.isVisible() and not window.toolbar.isMovable()
    assert window.act_train.isEnabled() and not window.act_stop.isEnabled()  # training attached, idle
    assert window.run_status.device.text().startswith("device: ")


def test_help_lists_the_real_shortcuts(window) -> None:
    rows = help_texts.shortcut_rows(window)
    keys = {name: keys for _, name, keys in rows}
    assert keys["Train"] == "F5" and keys["Add Layer…"] == "Ctrl+F" and keys["Connect Selected"] == "C"
    html = help_texts.shortcuts_html(window)
    assert "Ctrl+wheel" in html and "<br>" not in help_texts.GETTING_STARTED


def test_new_shows_the_start_page_and_a_sample_opens_from_it(window, qtbot) -> None:
    window.act_new.trigger()
    assert window.central.currentWidget() is window.start_page
    assert not window.docks["Layers"].isVisible()  # the start page has the whole window
    cards = window.start_page.cards
    assert len(cards) == len(list(SAMPLES.glob("*.layerlab")))
    lenet = next(c for c in cards if c.path.name == "lenet5.layerlab")
    lenet.clicked.emit(str(lenet.path))
    assert window.central.currentWidget() is window.view and window.docks["Layers"].isVisible()
    assert window.document.project.name == "LeNet-5" and window.document.path is None  # an untitled copy


def test_start_page_thumbnails_draw_the_network() -> None:
    from gui.shell.start_page import THUMBNAIL, network_thumbnail

    image = network_thumbnail(SAMPLES / "lenet5.layerlab").toImage()
    colours = {image.pixel(x, y) for x in range(0, THUMBNAIL.width(), 4) for y in range(0, THUMBNAIL.height(), 4)}
    assert len(colours) >= 5  # background, wires and several category colours


def test_blank_network_gives_an_empty_canvas_with_a_hint_not_errors(window) -> None:
    window.act_new.trigger()
    window.start_page.blank_requested.emit()
    assert window.central.currentWidget() is window.view
    assert "error" not in window.error_button.text().lower()
    assert "empty" in window.totals_label.text() and "Input" in window.totals_label.text()


def test_new_project_clears_the_views_and_the_training_panel(window) -> None:
    assert window.files.open_path(SAMPLES / "spiral_playground.layerlab", ask=False)
    import numpy as np

    views = window.training.views
    views.boundary.set_points(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]))  # left by a run
    views.confusion.set_results(np.array([0, 1]), np.array([0, 0]), None, ["0", "1"], "test")
    window.training.panel.run_box.status.setText("Finished: loss 0.0322")
    window.act_new.trigger()
    assert window.training.panel.run_box.status.text() == "Ready."
    assert views.boundary.points.size == 0 and views.confusion.table.rowCount() == 0
    assert views.confusion.caption.text() == views.confusion.empty_hint


def test_a_fixed_error_leaves_the_status_bar(window) -> None:
    net = window.document.network
    a, b = AddNodeCommand(net, "Input", (0, 0)), AddNodeCommand(net, "ReLU", (0, 200))
    window.document.execute(a)
    window.document.execute(b)
    window.scene.select_nodes([b.node_id])
    QApplication.processEvents()
    assert "not connected" in window.statusBar().currentMessage()
    window.document.execute(ConnectCommand(net, a.node_id, b.node_id))
    window.document.refresh_analysis()
    assert "not connected" not in window.statusBar().currentMessage()


def _current_dock_tab(window, title: str) -> str | None:
    """The title of the front dock in the tab group that holds `title`: Qt moves the docks behind it
    out of the window (its spare tab bars of earlier arrangements make the tab bars unreliable)."""
    QApplication.processEvents()  # raising a dock shows its panel on the next turn
    dock = window.docks[title]
    group = [dock, *window.tabifiedDockWidgets(dock)]
    shown = [d for d in group if d.isVisible() and window.rect().intersects(d.geometry())]  # the others sit off-window
    return shown[0].windowTitle() if len(shown) == 1 else None


def test_selecting_a_layer_brings_the_inspector_forward(window) -> None:
    assert window.files.open_path(SAMPLES / "lenet5.layerlab", ask=False)
    window.show_dock("Training")
    assert _current_dock_tab(window, "Inspector") == "Training"
    node = window.document.network.node_ids[1]
    window.scene.select_nodes([node])
    assert _current_dock_tab(window, "Inspector") == "Inspector"


def test_the_lock_disables_edits_but_not_moving(window) -> None:
    net = window.document.network
    add = AddNodeCommand(net, "Input", (0, 0))
    window.document.execute(add)
    window.document.set_locked("locked while a run is in progress")
    assert not window.act_delete.isEnabled() and not window.act_undo.isEnabled()
    assert not window.palette.isEnabled()
    assert window.document.execute(MoveCommand(net, {add.node_id: ((0, 0), (40, 40))})) is None
    assert net.node(add.node_id).position == (40, 40)
    assert window.document.execute(SetParamCommand(net, add.node_id, "shape", [3, 8, 8])) is not None
    window.document.set_locked(None)
    assert window.act_delete.isEnabled() and window.act_undo.isEnabled()


def test_train_pressed_while_pytorch_loads_starts_once_ready(make_window, qtbot) -> None:
    from gui.shell.main_window import MainWindow

    window = MainWindow(attach_training=False)
    qtbot.addWidget(window)
    window.files.autosaver.timer.stop()
    assert window.files.open_path(SAMPLES / "spiral_playground.layerlab", ask=False)
    assert window.act_train.isEnabled()
    window.act_train.trigger()  # before live training exists: remembered, not lost
    assert "Loading PyTorch" in window.statusBar().currentMessage()
    window.attach_training()
    assert window.training.controller.state == "running"
    window.training.shutdown()
    qtbot.waitUntil(lambda: window.training.controller.state in ("stopped", "finished"), timeout=20000)
    window.document.undo_stack.setClean()
