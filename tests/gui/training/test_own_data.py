"""Own data in the window: a CSV chosen with the file dialog becomes the project's data, is
previewed, binds the network in one undo step and trains to the end; problems the data makes
known before Train show on the Output card; the lock hint goes when the run ends."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget

from gui.document.commands import SetParamCommand
from gui.training.panel import LOCK_NOTE
from tests.gui.conftest import SAMPLES

BOUND = "Bind input to two_blobs.csv (2) and 'scores' to 2 units for its 2 classes"


@pytest.fixture(autouse=True)
def runs_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_RUNS", str(tmp_path / "runs"))


@pytest.fixture
def two_blobs(tmp_path):
    """Two classes of 2-D points, 200 rows, with a header: x, y, kind."""
    rng = np.random.default_rng(0)
    path = tmp_path / "two_blobs.csv"
    rows = ["x,y,kind"]
    for i in range(200):
        kind = "left" if i % 2 == 0 else "right"
        centre = -1.5 if kind == "left" else 1.5
        x, y = rng.normal(centre, 0.5), rng.normal(0, 0.5)
        rows.append(f"{x:.4f},{y:.4f},{kind}")
    path.write_text("\n".join(rows) + "\n")
    return path


def input_shape(window) -> tuple:
    network = window.document.network
    return tuple(network.node(network.nodes_of_type("Input")[0]).params["shape"])


def units(window, name: str) -> int:
    network = window.document.network
    return network.node(network.find(name)).params["units"]


def test_a_csv_chosen_with_the_file_dialog_is_previewed_bound_and_trained(make_window, qtbot, two_blobs,
                                                                          monkeypatch):
    window = make_window(SAMPLES / "mnist_mlp.layerlab")  # 1×28×28 in, 10 classes out
    document, panel = window.document, window.training.panel
    document.project.training = {"optimizer": "adam", "lr": 0.05, "batch_size": 32, "epochs": 3}
    asked = []

    def fake_dialog(parent, title, folder, filters):
        asked.append((title, filters))
        return str(two_blobs), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_dialog))
    panel.open_file_button.click()
    assert asked and "*.csv" in asked[0][1]
    assert document.project.dataset["source"] == "csv" and document.project.dataset["path"] == str(two_blobs)

    qtbot.waitUntil(lambda: input_shape(window) == (2,), timeout=20_000)
    assert units(window, "scores") == 2  # one unit per class of the file
    stack = document.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == ["Change dataset settings", BOUND]  # one step
    assert panel.fit_note.text() == f"{BOUND} (Ctrl+Z undoes it)."
    preview = panel.preview
    assert preview.preview is not None and preview.preview.class_counts == [100, 100]
    assert preview.counts.names == ["left", "right"] and preview.counts.isVisibleTo(panel)
    assert preview.caption.text().startswith("two_blobs.csv: 200 samples of 2 features in 2 classes")
    assert preview.table.columnCount() == 3 and preview.table.horizontalHeaderItem(2).text() == "kind"
    assert preview.table.rowCount() == 5 and preview.points.isVisibleTo(panel)
    document.refresh_analysis()
    assert not document.analysis.errors

    window.training.start()
    qtbot.waitUntil(lambda: window.training.controller.state in ("finished", "failed", "stopped"), timeout=60_000)
    assert window.training.controller.state == "finished", panel.run_box.message.text()
    assert panel.progress.epoch >= 2

    stack.undo()  # the binding, in one step
    assert input_shape(window) == (1, 28, 28) and units(window, "scores") == 10


def test_a_folder_of_images_is_chosen_with_the_folder_dialog(make_window, qtbot, tmp_path, monkeypatch):
    from PIL import Image

    for kind, value in (("dark", 30), ("light", 220)):
        (tmp_path / "pictures" / kind).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(np.full((8, 8), value + i, dtype=np.uint8)).save(tmp_path / "pictures" / kind / f"{i}.png")
    window = make_window(SAMPLES / "lenet5.layerlab")
    panel = window.training.panel
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *args: str(tmp_path / "pictures")))
    panel.open_folder_button.click()
    assert window.document.project.dataset["source"] == "image_folder"
    qtbot.waitUntil(lambda: panel.preview.preview is not None, timeout=20_000)
    preview = panel.preview.preview
    assert preview.class_counts == [3, 3] and preview.images is not None and len(preview.images) == 6
    assert panel.preview.grid.isVisibleTo(panel) and panel.preview.grid.labels[0] == "dark"


def test_a_file_source_without_a_file_asks_for_one_in_words(make_window, qtbot):
    window = make_window(SAMPLES / "spiral_playground.layerlab")
    panel = window.training.panel
    qtbot.waitUntil(lambda: panel.preview.preview is not None, timeout=20_000)
    before = dict(window.document.project.dataset)
    panel.data_form.editors["source"][0].setCurrentText("csv")
    problem = panel.data_form.problem()
    assert problem == "Choose a CSV file with Browse… (or type its path). Until then the project keeps spiral."
    assert window.document.project.dataset == before  # the project keeps its data until a file is chosen
    assert not panel.browse_button.isHidden() and panel.data_form.editors["source"][0].currentText() == "csv"
    assert panel.data_form.editors["path"][0].placeholderText() == "Browse… or type a path"


def test_an_output_that_does_not_fit_the_data_is_an_error_on_its_card_before_train(make_window, qtbot):
    window = make_window(SAMPLES / "spiral_playground.layerlab")  # spiral: 2 classes
    document, panel = window.document, window.training.panel
    qtbot.waitUntil(lambda: panel.preview.preview is not None, timeout=20_000)
    network = document.network
    scores = network.find("scores")
    document.execute(SetParamCommand(network, scores, "units", 16))
    document.refresh_analysis()
    output = network.nodes_of_type("Output")[0]
    card = window.scene.nodes[output]
    expected = "The network's Output gets 16 values, but spiral has 2 classes: set the units of 'scores' to 2."
    assert card.error == expected  # on the Output card, naming the fix, with no run started
    assert window.training.controller.state == "idle"
    assert [e.message for e in document.analysis.errors] == [expected]
    assert "1 error" in window.error_button.text()
    assert expected in panel.fit_note.text()
    assert panel.bind_button.text() == "Set 'scores' to 2 units for the 2 classes of spiral"
    panel.bind_button.click()  # the one-click fix, one undo step
    document.refresh_analysis()
    assert network.node(scores).params["units"] == 2 and card.error is None and not document.analysis.errors
    document.undo_stack.undo()
    document.refresh_analysis()
    assert card.error == expected


def test_a_loss_that_does_not_fit_the_task_is_an_error_on_the_output_card(make_window, qtbot):
    window = make_window(SAMPLES / "encoder_8_3_8.layerlab")  # reconstruction
    document = window.document
    qtbot.waitUntil(lambda: window.training.panel.preview.preview is not None, timeout=20_000)
    network = document.network
    output = network.nodes_of_type("Output")[0]
    document.execute(SetParamCommand(network, output, "loss", "cross_entropy"))
    document.refresh_analysis()
    assert "cross_entropy, which needs class labels; for reconstruction choose mse" in \
        window.scene.nodes[output].error


def test_the_lock_hint_shows_only_while_a_run_is_in_progress(make_window, qtbot):
    window = make_window(SAMPLES / "spiral_playground.layerlab")
    window.document.project.dataset = {"source": "spiral", "samples": 240, "validation_split": 0.25}
    window.document.project.training = {"optimizer": "adam", "lr": 0.02, "batch_size": 32, "epochs": 3}
    panel = window.training.panel
    assert panel.lock_note.isHidden()
    window.training.start()
    assert not panel.lock_note.isHidden() and not panel.forms.isEnabled()
    qtbot.waitUntil(lambda: window.training.controller.state == "finished", timeout=60_000)
    assert panel.lock_note.isHidden() and panel.forms.isEnabled()
    for widget in [panel, *panel.findChildren(QWidget)]:  # no tooltip (or text shown) still says it
        if widget is not panel.lock_note:
            assert "locked" not in widget.toolTip().lower(), widget
            assert not (isinstance(widget, QLabel) and widget.isVisible() and "locked" in widget.text().lower())
    batch = panel.training_form.editors["batch_size"][0]
    assert "locked" not in batch.toolTip().lower() and batch.isEnabled()
    assert LOCK_NOTE not in panel.training_form.labels["batch_size"].toolTip()


def test_a_run_started_at_once_does_not_hold_back_the_preview(qtbot, make_window):
    """Train pressed right after opening: the preview of the project's data is loaded before the
    run takes the compute thread (it waited behind the whole run, 'Loading spiral…')."""
    window = make_window(SAMPLES / "spiral_playground.layerlab")
    panel = window.training.panel
    window.training.start()
    qtbot.waitUntil(lambda: window.training.controller.state == "running", timeout=20_000)
    qtbot.waitUntil(lambda: panel._shown is not None, timeout=10_000)
    assert window.training.controller.state == "running"  # shown while the run goes on
    assert panel._shown.name.startswith("spiral")
    window.training.stop()
    qtbot.waitUntil(lambda: window.training.controller.state not in ("running", "paused"), timeout=20_000)
