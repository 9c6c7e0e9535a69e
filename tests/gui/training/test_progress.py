"""The run's progress in words: right epoch and step at every moment; finished, stopped, early-
stopped and failed runs show how and why they ended, their best evaluation and final figures, and
no ETA; the bar ends where the run ended."""

from __future__ import annotations

import pytest

from engine.training import records as R
from gui.training.progress import Progress
from gui.training.run_box import RunBox
from tests.gui.conftest import SAMPLES

SPE = 938  # LeNet on MNIST, batch 64: 938 steps per epoch


def started(epochs=2, **kw):
    return R.Started("cpu", 1, 61_706, 60_000, 0, 10_000, SPE, 64, epochs, **kw)


def step(n, seconds=None):
    epoch, batch = divmod(n - 1, SPE)
    return R.StepRecord(n, epoch + 1, batch + 1, SPE, 0.5, 0.01, n * 64, 1000.0, seconds or n * 0.01)


def final(split, loss, accuracy):
    return R.EvalRecord(SPE * 2, 2, split, loss, accuracy, final=True)


SUMMARY = {"train_seconds": 42.0, "final": {"train_loss": 0.0312, "train_accuracy": 0.9912, "val_loss": None,
                                            "val_accuracy": None, "test_loss": 0.044, "test_accuracy": 0.987}}


def fed(*records) -> Progress:
    progress = Progress()
    for record in records:
        progress.update(record)
    return progress


def test_at_the_start_and_in_the_middle_the_epoch_and_step_are_right():
    assert fed(started()).text() == "epoch 1/2 · step 0/1,876 · on cpu"
    early = fed(started(), step(1), step(46)).text()
    assert early.startswith("epoch 1/2 · step 46/1,876 · loss 0.5000") and "ETA" in early
    assert fed(started(), step(SPE)).text().startswith("epoch 1/2 · step 938/1,876")
    assert fed(started(), step(SPE + 1)).text().startswith("epoch 2/2 · step 939/1,876")
    assert fed(started(), step(SPE + 1)).current_epoch == 2
    assert fed(started(max_steps=500), step(46)).text().startswith("epoch 1/2 · step 46/500")


def test_a_finished_run_shows_its_end_and_final_figures_without_an_eta():
    progress = fed(started(), step(1840), final("train", 0.0312, 0.9912), final("test", 0.044, 0.987),
                   R.Finished("completed", 1876, 2, 1876, 2, SUMMARY))
    assert progress.text() == "Finished: 2 epochs, 1,876 steps; 0:42 of training."
    assert progress.fraction == 1.0 and progress.eta_seconds() is None
    assert progress.results_text() == "Train: loss 0.0312 · accuracy 99.12%\nTest: loss 0.0440 · accuracy 98.70%"


def test_a_stopped_run_says_where_it_stopped_and_the_bar_stays_there():
    progress = fed(started(), step(1200), R.Stopped("stopped", 1203, 2, 938, 1, SUMMARY, monitor="val_loss",
                                                    best_value=0.0712, restored_best=True))
    assert progress.text() == ("Stopped at epoch 2 of 2 (step 1,203 of 1,876); best epoch 1, validation loss "
                               "0.0712 (weights restored); 0:42 of training.")
    assert "ETA" not in progress.text() and progress.fraction == pytest.approx(1203 / 1876)


def test_an_early_stop_names_the_reason_the_best_epoch_and_the_restored_weights():
    progress = fed(started(epochs=30, max_steps=0), step(10_000),
                   R.Finished("early_stopping", 10_080, 7, 5_760, 4, SUMMARY, monitor="val_loss", best_value=0.0712,
                              restored_best=True, evaluations_since_best=3))
    assert progress.text() == ("Stopped early after epoch 7 of 30 (step 10,080): validation loss did not improve "
                               "for 3 epochs; best epoch 4, validation loss 0.0712 (weights restored); 0:42 of "
                               "training.")
    assert progress.fraction == 1.0  # the run ended by its own rule: the bar is full, the text says why
    every = fed(started(epochs=30), R.Finished("early_stopping", 700, 1, 300, 1, {}, monitor="val_accuracy",
                                               best_value=0.9, restored_best=True, evaluations_since_best=4,
                                               eval_every=100))
    assert "validation accuracy did not improve for 4 evaluations (one every 100 steps); best epoch 1 " \
           "(step 300), validation accuracy 90.00% (weights restored)" in every.text()


def test_aborted_and_failed_runs():
    aborted = fed(started(), step(10), R.Stopped("aborted", 12, 1, 12, 1, {}))
    assert aborted.text() == "Aborted at epoch 1 of 2 (step 12 of 1,876), without a final evaluation."
    failed = fed(started(), step(10), R.Failed("The loss became NaN", 11, 1, 11, 1, {"stopped_reason":
                                                                                     "non_finite_loss"}))
    assert failed.text() == "Failed at epoch 1 of 2 (step 11 of 1,876)." and failed.end.reason == "non_finite_loss"
    assert fed(R.Failed("bad settings")).text() == "The run did not start."


def test_the_run_box_shows_the_end_as_the_controller_delivers_it(qtbot):
    """The controller changes the state before the batch holding the end record arrives."""
    box = RunBox()
    qtbot.addWidget(box)
    box.begin_run(0.01)
    box.set_state("running")
    box.show_records([started(), step(1), step(46)])
    box.refresh()
    assert box.status.text().startswith("epoch 1/2 · step 46/1,876") and "ETA" in box.status.text()
    box.set_state("paused")
    box.refresh()
    assert box.status.text().startswith("Paused: epoch 1/2 · step 46/1,876")
    box.set_state("finished")
    assert "ETA" not in box.status.text()
    box.show_records([step(1840), final("train", 0.0312, 0.9912), final("test", 0.044, 0.987),
                      R.Finished("completed", 1876, 2, 1876, 2, SUMMARY)])
    assert box.status.text() == "Finished: 2 epochs, 1,876 steps; 0:42 of training."
    assert box.progress_bar.value() == box.progress_bar.maximum() and not box.results.isHidden()
    assert "Test: loss 0.0440 · accuracy 98.70%" in box.results.text()
    box.begin_run(0.01)  # the next run starts clean
    assert box.results.isHidden() and box.status.text() == "Starting…"
    box.set_state("running")
    box.show_records([started(), step(5)])
    box.set_state("stopped")
    box.show_records([R.Stopped("stopped", 7, 1, 7, 1, {})])
    assert box.status.text() == "Stopped at epoch 1 of 2 (step 7 of 1,876)."
    assert box.progress_bar.value() == round(box.progress_bar.maximum() * 7 / 1876)


def test_a_real_early_stopped_run_in_the_window_says_so(qtbot, make_window, tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_RUNS", str(tmp_path / "runs"))
    window = make_window(SAMPLES / "mnist_mlp.layerlab")
    project = window.document.project
    project.dataset.update(subset=300, test_subset=200, validation_split=0.2)
    project.training.update(epochs=30, early_stopping=True, patience=1, batch_size=32)
    window.training.probe_every = 0
    window.training.start()
    qtbot.waitUntil(lambda: window.training.controller.state in ("finished", "failed", "stopped"), timeout=60_000)
    box = window.training.panel.run_box
    assert window.training.controller.state == "finished", box.message.text()
    text = box.status.text()
    assert text.startswith("Stopped early after epoch ") and " of 30 " in text, text
    assert "did not improve for 1 epoch;" in text and "best epoch " in text and "ETA" not in text, text
    best = int(text.split("best epoch ")[1].split(",")[0])
    stopped = int(text.split("after epoch ")[1].split(" ")[0])
    assert best == stopped - 1, text
    lines = box.results.text().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Train", "Validation", "Test"], lines
    assert all("accuracy" in line for line in lines)


def test_the_toolbar_words_say_how_a_run_ended() -> None:
    from engine.training import records as R
    from gui.training.progress import Progress

    progress = Progress()
    progress.update(R.Started("cpu", 1, 10, 100, 20, 20, 10, 10, 30))
    progress.update(R.StepRecord(15, 2, 5, 10, 0.5, 0.01, 150, 1000.0, 0.2))
    assert progress.short_text() == "epoch 2/30 · 5%"
    assert progress.short_text(paused=True).endswith("· paused")
    progress.update(R.EvalRecord(70, 7, "test", 0.3, 0.91, final=True))
    progress.update(R.Finished("early_stopping", 70, 7, 40, 4, monitor="val_loss", best_value=0.2))
    assert progress.short_text() == "stopped early · best epoch 4 · test accuracy 91.0%"
