"""The views follow the model in a real window: Pause and Step refresh them from the current
weights, the Evaluate button computes a confusion matrix, and the end of a run marks it."""

from __future__ import annotations

import numpy as np
import pytest

from tests.gui.conftest import SAMPLES

SPIRAL = {"source": "spiral", "samples": 240, "noise": 0.1, "validation_split": 0.25}


@pytest.fixture(autouse=True)
def runs_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_RUNS", str(tmp_path / "runs"))


def spiral_window(make_window, probe_every=1000, **training):
    window = make_window(SAMPLES / "spiral_playground.layerlab")
    window.resize(1400, 900)
    project = window.document.project
    project.dataset = dict(SPIRAL)
    project.training = {"optimizer": "adam", "lr": 0.05, "batch_size": 8, "epochs": 500, **training}
    window.training.probe_every = probe_every  # only the pauses probe
    return window


def wait_state(qtbot, window, *states, timeout=60_000):
    qtbot.waitUntil(lambda: window.training.controller.state in states, timeout=timeout)


def paused_run(qtbot, window):
    window.training.start()
    wait_state(qtbot, window, "running")
    qtbot.waitUntil(lambda: window.training.panel.progress.step > 0, timeout=30_000)
    window.training.controller.pause()
    wait_state(qtbot, window, "paused")


def test_step_refreshes_the_boundary_and_the_other_views(qtbot, make_window):
    window = spiral_window(make_window)
    views = window.training.views
    paused_run(qtbot, window)
    window.show_dock("Views")
    views.show_panel(views.boundary)
    step = window.training.panel.progress.step
    qtbot.waitUntil(lambda: views.last_probe is not None and views.last_probe.step == step, timeout=10_000)
    qtbot.waitUntil(lambda: views.boundary.image is not None and views.boundary.step == step, timeout=10_000)
    first = views.boundary.image.copy()
    steps_per_epoch = views.steps_per_epoch
    assert steps_per_epoch > 0
    for _ in range(steps_per_epoch + 3):  # across an epoch's end
        before = window.training.panel.progress.step
        window.training.controller.step_once()
        qtbot.waitUntil(lambda before=before: window.training.panel.progress.step == before + 1, timeout=10_000)
    end = window.training.panel.progress.step
    qtbot.waitUntil(lambda: views.boundary.step == end, timeout=10_000)
    assert not np.array_equal(views.boundary.image, first)  # the regions moved with the weights
    assert views.last_probe.step == end  # activations, filters, histograms: the same fresh probe
    assert views.gradients.steps[-1] == end
    views.show_panel(views.filters)
    qtbot.waitUntil(lambda: views.filters.array is not None, timeout=5000)
    assert f"after step {end:,}" in views.filters.label
    window.training.controller.stop()
    wait_state(qtbot, window, "stopped", timeout=10_000)


def test_the_evaluate_button_computes_a_confusion_matrix(qtbot, make_window):
    window = spiral_window(make_window)
    views = window.training.views
    confusion = views.confusion
    paused_run(qtbot, window)
    views.show_panel(confusion)
    window.show_dock("Views")
    confusion.clear()
    confusion.evaluate_button.click()  # while paused: the training thread answers
    qtbot.waitUntil(lambda: confusion.matrix.sum() > 0, timeout=10_000)
    validation = len(window.training.run_model.dataset.val)
    assert validation > 0 and confusion.matrix.sum() == validation  # the validation split
    assert "validation split after step" in confusion.caption.text()
    window.training.controller.stop()
    wait_state(qtbot, window, "stopped", timeout=10_000)
    qtbot.waitUntil(lambda: confusion.matrix.sum() > 0, timeout=10_000)  # computed at the end of the run
    confusion.clear()
    assert confusion.matrix.sum() == 0
    confusion.evaluate_button.click()  # after the run: on the compute thread (after the end's own matrix)
    qtbot.waitUntil(lambda: "current weights" in confusion.caption.text(), timeout=10_000)
    assert confusion.matrix.sum() == validation


def test_an_early_stopped_run_ends_the_axis_and_marks_the_best_epoch(qtbot, make_window):
    window = spiral_window(make_window, probe_every=10, batch_size=32, epochs=200, early_stopping=True, patience=2,
                           lr=0.05)
    window.training.start()
    wait_state(qtbot, window, "finished", "stopped", "failed", timeout=120_000)
    assert window.training.controller.state == "finished", window.training.panel.run_box.message.text()
    views = window.training.views
    loss = views.loss
    assert loss.end is not None and loss.end[1] == "early_stopping"
    end_epoch = loss.end[0] / views.steps_per_epoch
    assert end_epoch < 200
    views.show_panel(loss)
    views.refresh()
    assert loss.loss_plot.viewRange()[0][1] == pytest.approx(end_epoch, rel=0.03)
    assert loss.best_lines[0].isVisible() and loss.best_lines[0].value() < end_epoch
    assert "early stop" in loss.legend.text() or "stopped" in loss.legend.text()
    assert "validation" in loss.legend.text() and "test" in loss.final_label.text()


def test_the_confusion_tab_opened_while_paused_shows_the_paused_weights(qtbot, make_window):
    """Pause, then open the Confusion tab: the matrix of the paused weights appears without
    pressing Evaluate (it stayed empty until Evaluate)."""
    window = spiral_window(make_window)
    views = window.training.views
    window.show_dock("Views")
    views.show_panel(views.loss)
    paused_run(qtbot, window)
    qtbot.waitUntil(lambda: views.paused, timeout=10_000)  # the Paused record has reached the views
    views.confusion.clear()
    views.show_panel(views.confusion)
    qtbot.waitUntil(lambda: views.confusion.matrix.sum() > 0, timeout=10_000)
    assert window.training.controller.state == "paused"
    window.training.controller.stop()
    wait_state(qtbot, window, "stopped", timeout=10_000)
