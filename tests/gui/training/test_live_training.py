"""Live training in the window: real runs on tiny data, controlled from the GUI thread."""

from __future__ import annotations

import time

import numpy as np
import pytest

from gui.document.commands import AddNodeCommand
from gui.training.panel import LOCK_NOTE
from tests.gui.conftest import SAMPLES

FAST_SPIRAL = {"source": "spiral", "samples": 240, "noise": 0.1, "validation_split": 0.25}


@pytest.fixture(autouse=True)
def runs_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_RUNS", str(tmp_path / "runs"))


def spiral_window(make_window, **training):
    window = make_window(SAMPLES / "spiral_playground.layerlab")
    project = window.document.project
    project.dataset = dict(FAST_SPIRAL)
    project.training = {"optimizer": "adam", "lr": 0.02, "batch_size": 32, "epochs": 4, **training}
    window.training.probe_every = 2
    return window


def wait_state(qtbot, window, *states, timeout=60_000):
    qtbot.waitUntil(lambda: window.training.controller.state in states, timeout=timeout)


def test_a_run_finishes_and_every_view_has_data(qtbot, make_window):
    window = spiral_window(make_window)
    feature, views = window.training, window.training.views
    feature.start()
    assert window.document.locked_reason == LOCK_NOTE
    wait_state(qtbot, window, "finished")
    assert views.loss.train_loss.size > 0 and views.loss.val_loss.size > 0
    assert views.gradients.norms and views.histograms.history
    qtbot.waitUntil(lambda: views.boundary.image is not None or views.boundary._pending is not None, timeout=5000)
    qtbot.waitUntil(lambda: views.confusion.matrix.sum() > 0, timeout=10_000)
    qtbot.waitUntil(lambda: feature.last_run_dir is not None, timeout=10_000)
    assert (feature.last_run_dir / "weights.safetensors").exists()
    assert window.document.locked_reason is None
    for index in range(views.count()):  # every view renders after a short run
        views.setCurrentIndex(index)
        views.refresh()
        assert not views.current_panel().grab().isNull()
    assert any(item.flow is not None for item in window.scene.edges.values())
    window.scene.select_nodes([window.document.network.find("fc1")])
    views.show_panel(views.activations)
    assert views.activations.array.shape == (64,)  # fc1's 64 units for one probe sample
    views.show_panel(views.filters)
    assert views.filters.array.shape == (64, 2)  # first dense layer's weights


def test_pause_step_resume_stop_and_edits_are_locked(qtbot, make_window):
    window = spiral_window(make_window, epochs=500, batch_size=8)
    ctl = window.training.controller
    window.training.start()
    wait_state(qtbot, window, "running")
    ctl.pause()
    wait_state(qtbot, window, "paused")
    steps = window.training.panel.progress.step
    ctl.step_once()
    qtbot.waitUntil(lambda: window.training.panel.progress.step == steps + 1, timeout=5000)
    network = window.document.network
    assert window.document.execute(AddNodeCommand(network, "ReLU")) == LOCK_NOTE
    ctl.resume()
    wait_state(qtbot, window, "running")
    ctl.stop()
    wait_state(qtbot, window, "stopped", timeout=5000)
    assert window.document.locked_reason is None


def test_closing_during_training_stops_the_thread(qtbot, make_window):
    window = spiral_window(make_window, epochs=500, batch_size=8)
    window.training.start()
    qtbot.waitUntil(lambda: window.training.panel.progress.step > 0, timeout=30_000)
    worker = window.training.controller.worker
    started = time.monotonic()
    window.close()
    assert worker.finished.is_set()  # the compute thread has left the run
    assert time.monotonic() - started < 2.5


def test_a_diverging_run_shows_the_error_and_the_app_stays_usable(qtbot, make_window):
    window = spiral_window(make_window, optimizer="sgd", lr=1e37, epochs=50)
    window.training.start()
    wait_state(qtbot, window, "failed", "stopped", "finished")
    assert window.training.controller.state == "failed"
    assert "loss" in window.training.panel.run_box.message.text().lower()
    assert window.document.locked_reason is None
    window.document.project.training.update({"lr": 0.01, "epochs": 5})  # a short second run
    window.training.start()
    wait_state(qtbot, window, "finished", "failed", "stopped")
    assert window.training.controller.state == "finished"  # the same window trains again, to the end
    progress = window.training.panel.progress
    assert progress.end is not None and progress.end.reason == "completed" and np.isfinite(progress.loss)


def test_gradient_check_button(qtbot, make_window):
    window = spiral_window(make_window)
    window.training.run_gradcheck()
    panel = window.training.views.gradcheck
    qtbot.waitUntil(lambda: bool(panel.results), timeout=30_000)
    assert all(r.max_relative_error < 1e-4 for r in panel.results)


def test_autoencoder_views_after_a_run(qtbot, make_window):
    window = make_window(SAMPLES / "encoder_8_3_8.layerlab")
    window.document.project.training = {"optimizer": "adam", "lr": 0.05, "batch_size": 8, "epochs": 30}
    window.training.probe_every = 5
    window.training.start()
    wait_state(qtbot, window, "finished")
    panel = window.training.views.autoencoder
    assert panel.inputs is not None and panel.inputs.shape == panel.outputs.shape
    qtbot.waitUntil(panel.slider.isEnabled, timeout=10_000)
    panel.slider.setValue(30)
    qtbot.waitUntil(lambda: panel.morph.array is not None, timeout=10_000)
    assert np.isfinite(panel.morph.array).all()


def test_opening_another_project_stops_the_run_and_forgets_its_curves(qtbot, make_window):
    window = spiral_window(make_window, epochs=500, batch_size=8)
    window.training.start()
    qtbot.waitUntil(lambda: window.training.panel.progress.step > 0, timeout=30_000)
    worker = window.training.controller.worker
    window.training.views.loss.add_overlay("run 1", [1, 2], [2, 1])
    assert window.files.open_path(SAMPLES / "lenet5.layerlab", ask=False)
    assert worker.finished.is_set()
    qtbot.waitUntil(lambda: window.training.controller.state == "stopped", timeout=5000)
    assert window.document.locked_reason is None
    assert window.training.views.loss.overlays == {}
    assert window.document.network.find("c1")


def test_second_run_overlays_the_first(qtbot, make_window):
    window = spiral_window(make_window, epochs=2)
    for _ in range(2):
        window.training.start()
        wait_state(qtbot, window, "finished")
    assert list(window.training.views.loss.overlays) == ["run 1"]


def test_play_uses_each_epochs_weights_while_a_run_trains(qtbot, make_window):
    window = spiral_window(make_window, epochs=200)
    panel = window.play
    window.training.start()
    wait_state(qtbot, window, "running")
    qtbot.wait(300)  # the training layout brings the Views forward first
    window.show_dock("Play")  # a Play panel behind other tabs only remembers the run (test below)
    qtbot.waitUntil(lambda: panel.source is not None and panel.source.live, timeout=60_000)
    assert window.training.controller.active  # the run goes on
    panel.point.pick(0.25, 0.5)  # computed by the trainer between two steps
    qtbot.waitUntil(lambda: panel.last is not None and panel.last.seen.tolist() == [0.25, 0.5], timeout=30_000)
    assert window.training.controller.active and "updated each epoch" in panel.status.text()
    window.training.stop()
    wait_state(qtbot, window, "stopped", "finished")


def test_a_hidden_play_panel_loads_the_run_only_when_shown(qtbot, make_window):
    window = spiral_window(make_window, epochs=2)
    panel = window.play
    window.show_dock("Summary")  # Play is behind it
    window.training.start()
    wait_state(qtbot, window, "finished", "stopped", "failed")
    qtbot.waitUntil(lambda: panel._deferred is not None, timeout=10_000)
    assert panel.source is None and "loads when this panel is shown" in panel.status.text()
    window.show_dock("Play")
    qtbot.waitUntil(lambda: panel.source is not None, timeout=60_000)


def test_gradient_flow_is_drawn_inside_an_opened_block(qtbot, make_window):
    window = make_window(SAMPLES / "resnet_mnist.layerlab")
    window.document.project.dataset.update({"subset": 64, "test_subset": 32})
    window.document.project.training.update({"epochs": 1, "batch_size": 32})
    window.training.start()
    wait_state(qtbot, window, "finished")
    qtbot.waitUntil(lambda: any(item.flow is not None for item in window.scene.edges.values()), timeout=10_000)
    assert window.document.open_block(window.document.network.find("stage1"))
    inner = window.document.network
    flowing = {edge.source for edge, item in window.scene.edges.items() if item.flow is not None}
    assert {inner.find("conv1"), inner.find("bn1"), inner.find("add")} <= flowing
    window.document.close_to(0)
    assert any(item.flow is not None for item in window.scene.edges.values())  # the top level's again


def test_continue_a_run_from_the_runs_panel_trains_from_its_weights(qtbot, make_window):
    window = spiral_window(make_window, epochs=1)
    window.training.start()
    wait_state(qtbot, window, "finished")
    qtbot.waitUntil(lambda: window.training.last_run_dir is not None, timeout=10_000)
    run_dir = window.training.last_run_dir
    panel = window.runs
    panel.refresh()
    panel.select_ids([run_dir.name])
    assert panel.buttons["continue"].isEnabled()
    panel.continue_selected()
    assert window.document.project.training["init_from"] == str(run_dir)
    window.training.start()
    wait_state(qtbot, window, "finished")
    notes = window.training.panel.run_box.notes.text()
    assert f"Started from the weights in {run_dir}: 8 of 8 tensors." in notes  # the spiral: 4 layers


def test_browse_for_the_weights_to_start_from(qtbot, make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = spiral_window(make_window)
    (tmp_path / "run").mkdir()
    chosen = str(tmp_path / "run" / "weights.safetensors")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (chosen, ""))
    window.training.panel.start_button.click()
    assert window.document.project.training["init_from"] == str(tmp_path / "run")  # the run, not its file
    window.document.undo_stack.undo()
    assert "init_from" not in window.document.project.training or not window.document.project.training["init_from"]
