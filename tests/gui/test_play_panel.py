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


def _playing(make_window, qtbot, run_dir):
    """A window whose Play panel uses the run in `run_dir`, loaded."""
    window = make_window()
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
    assert panel.strip_layout.count() >= 4  # a thumbnail per layer
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
