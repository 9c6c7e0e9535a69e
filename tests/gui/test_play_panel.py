"""The Play panel on a real run: draw a digit and see the likeliest classes and each layer's
activations, pick test samples (misclassified ones alone), replay epoch snapshots, attribution
methods that do not apply are disabled with the reason, a bad image file leaves the panel as it was."""

from __future__ import annotations

from engine.project import load_project
from engine.run_dir import train_to_directory
from engine.training import Trainer
from tests.gui.conftest import SAMPLES


def _run(tmp_path):
    project = load_project(SAMPLES / "mnist_mlp.layerlab")
    project.dataset.update({"subset": 512, "test_subset": 200})
    project.training.update({"epochs": 2, "batch_size": 64, "optimizer": "adam", "lr": 0.01})
    return train_to_directory(Trainer(project), tmp_path / "run") or tmp_path / "run"


def _playing(make_window, qtbot, run_dir, project=None):
    """A window (showing `project`, if given) whose Play panel uses the run in `run_dir`, loaded."""
    window = make_window(project)
    window.attach_training()
    window.play.set_run(run_dir)
    qtbot.waitUntil(lambda: window.play.source is not None, timeout=60_000)
    return window, window.play


def test_drawing_gives_class_probabilities_and_activations(make_window, tmp_path, qtbot) -> None:
    run_dir = tmp_path / "run"
    _run(tmp_path)
    window, panel = _playing(make_window, qtbot, run_dir)
    assert [e for e, _ in panel.source.snapshots][-1] == 2  # one snapshot per epoch
    assert not panel.method.model().item(panel.method.findData("grad_cam")).isEnabled()  # an MLP has no conv
    panel.canvas.draw_stroke([(112, 40), (112, 120), (112, 190)])  # a "1"
    qtbot.waitUntil(lambda: panel.last is not None and panel.last.seen.max() > 0, timeout=30_000)
    prediction = panel.last.prediction
    assert abs(prediction.probabilities.sum() - 1) < 1e-4 and len(prediction.top) == 5
    assert panel.last.seen.shape[-2:] == (28, 28)  # centred and scaled like MNIST
    assert len(panel.strip._cells) >= 4  # a thumbnail per layer
    assert "%" in panel.classes_note.text()


def test_samples_snapshots_and_a_bad_image(make_window, tmp_path, qtbot) -> None:
    _run(tmp_path)
    window, panel = _playing(make_window, qtbot, tmp_path / "run")
    panel.inputs.setCurrentIndex(2)
    panel.sample_index.setValue(3)
    qtbot.waitUntil(lambda: panel.last is not None and "Test sample 3" in panel.sample_note.text(), timeout=30_000)
    panel.wrong_only.setChecked(True)
    assert all(panel.wrong[i] for i in panel._sample_ids) and 0 < len(panel._sample_ids) < 200
    panel.epoch.setValue(0)  # the weights before training
    qtbot.waitUntil(lambda: not panel._busy and panel.epoch_label.text() == "after epoch 0", timeout=30_000)
    before = panel.last
    (tmp_path / "bad.png").write_bytes(b"not a picture")
    panel.open_image(str(tmp_path / "bad.png"))
    assert "bad.png" in panel.file_note.text() and panel.last is before


def test_an_autoencoder_shows_its_reconstruction_and_code_sliders(make_window, tmp_path, qtbot) -> None:
    project = load_project(SAMPLES / "encoder_8_3_8.layerlab")
    project.training.update({"epochs": 300})
    train_to_directory(Trainer(project), tmp_path / "ae")
    window, panel = _playing(make_window, qtbot, tmp_path / "ae")
    panel.inputs.setCurrentIndex(2)
    panel.show_sample()
    qtbot.waitUntil(lambda: panel.last is not None and panel.last.reconstruction is not None, timeout=30_000)
    assert panel.right_pages.currentIndex() == 1 and "mean squared error" in panel.classes_note.text()
    assert len(panel.rebuilt.sliders) == 3  # the 3-unit code
    before = panel.rebuilt.picture.pixmap().toImage()
    panel.rebuilt.sliders[0].setValue(panel.rebuilt.sliders[0].maximum())
    qtbot.waitUntil(lambda: panel.rebuilt.picture.pixmap().toImage() != before, timeout=30_000)
    panel.canvas.draw_stroke([(20, 20), (60, 60)])  # a drawing is not an input for it: said, nothing breaks
    qtbot.waitUntil(lambda: "not an image" in panel.status.text(), timeout=30_000)


def test_a_2d_model_takes_a_clicked_point(make_window, tmp_path, qtbot) -> None:
    project = load_project(SAMPLES / "spiral_playground.layerlab")
    project.training.update({"epochs": 3})
    train_to_directory(Trainer(project), tmp_path / "spiral")
    window, panel = _playing(make_window, qtbot, tmp_path / "spiral")
    assert panel.inputs.isTabVisible(3) and not panel.inputs.isTabVisible(0)  # Point, not Draw
    assert panel.inputs.currentIndex() == 3
    panel.point.pick(0.5, -0.25)
    qtbot.waitUntil(lambda: panel.last is not None and panel.last.seen.tolist() == [0.5, -0.25], timeout=30_000)
    assert len(panel.last.prediction.top) == 2 and abs(sum(p for _, p in panel.last.prediction.top) - 1) < 1e-4


def test_a_confusion_matrix_cell_gives_play_its_samples(make_window, tmp_path, qtbot) -> None:
    import numpy as np

    _run(tmp_path)
    window, panel = _playing(make_window, qtbot, tmp_path / "run")
    labels = np.array([3, 1, 3, 7, 3])
    predictions = np.array([3, 1, 8, 7, 8])
    window.training.views.confusion.set_results(labels, predictions, None, [str(i) for i in range(10)], "test")
    window.training.views.confusion.table.cellClicked.emit(3, 8)  # true 3, predicted 8: samples 2 and 4
    assert panel._sample_ids == [2, 4] and "true 3, predicted 8" in panel.sample_note.text()
    assert panel.inputs.currentIndex() == 2


def test_activations_on_the_cards_and_a_dropped_image(make_window, tmp_path, qtbot) -> None:
    from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
    from PySide6.QtWidgets import QApplication

    _run(tmp_path)
    window, panel = _playing(make_window, qtbot, tmp_path / "run", SAMPLES / "mnist_mlp.layerlab")
    network = window.document.network
    dense = [n for n in network.node_ids if network.node(n).type == "Dense"]
    input_id = network.nodes_with_role("input")[0]
    panel.canvas.draw_stroke([(112, 40), (112, 120), (112, 190)])
    qtbot.waitUntil(lambda: panel.last is not None, timeout=30_000)
    assert all(window.scene.nodes[n].picture is None for n in dense)  # not asked yet
    panel.strip.on_cards.setChecked(True)
    assert all(window.scene.nodes[n].picture is not None for n in dense)
    assert "Activations for the Play input: 10 values" in window.scene.nodes[dense[-1]].toolTip()
    assert window.scene.nodes[input_id].picture is None  # no layer output of its own
    image = QImage(28, 28, QImage.Format.Format_Grayscale8)
    image.fill(QColor("black"))
    for y in range(4, 24):
        image.setPixelColor(14, y, QColor("white"))
    image.save(str(tmp_path / "one.png"))
    before = panel.last
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "one.png"))])
    actions, buttons, mods = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    try:  # PySide6 >= 6.12 takes a QPointF; earlier versions a QPoint
        enter = QDragEnterEvent(QPointF(10, 10), actions, mime, buttons, mods)
    except TypeError:
        enter = QDragEnterEvent(QPoint(10, 10), actions, mime, buttons, mods)
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(panel, QDropEvent(QPointF(10, 10), actions, mime, buttons, mods, QEvent.Type.Drop))
    qtbot.waitUntil(lambda: panel.last is not before and not panel._busy, timeout=30_000)
    assert panel.inputs.currentIndex() == 1 and "28" in panel.file_note.text()
    panel.strip.on_cards.setChecked(False)
    assert all(item.picture is None for item in window.scene.nodes.values())


def test_card_keys_follow_the_opened_block() -> None:
    """Inside an opened block, each card's activations are its layer's at that instance's path."""
    from pathlib import Path

    from engine.compiler import compile_network
    from gui.play.model_source import PlayModel

    project = load_project(SAMPLES / "resnet_mnist.layerlab")
    source = PlayModel(Path("unused"), project, compile_network(project.network), {})
    network = project.network
    by_name = {network.name_of(n): n for n in network.node_ids}
    top = source.card_keys([])
    assert top[by_name["stem"]] == by_name["stem"] and top[by_name["stage1"]] == by_name["stage1"]
    inside = source.card_keys([(by_name["stage1"], 0)])
    definition = network.library.get("resnet_basic").network
    assert {definition.name_of(n): key for n, key in inside.items()}["conv1"] == "stage1.conv1"
    assert source.card_keys([(by_name["stage1"], 1)]) == {}  # it does not repeat


def test_a_probability_short_of_one_is_never_shown_as_100_percent() -> None:
    from gui.play.panel import percent

    assert percent(0.873) == "87.3 %" and percent(0.99974) == "> 99.9 %" and percent(1.0) == "100.0 %"
