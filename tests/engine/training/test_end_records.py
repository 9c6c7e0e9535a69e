"""The end record carries what a GUI needs to tell how a run ended: the reason, where, the best
evaluation (and whether its weights were restored), and the final figures per split."""

from engine.training import EvalRecord, Finished, Started, Trainer
from tests.engine.training.helpers import spiral_project


def test_early_stopping_names_the_best_evaluation_and_the_evaluations_without_improvement():
    project = spiral_project(epochs=30, early_stopping=True, patience=1, min_delta=100.0)  # nothing improves
    records = list(Trainer(project).run())
    end = records[-1]
    assert isinstance(end, Finished) and end.reason == "early_stopping"
    assert (end.epochs_run, end.best_epoch, end.evaluations_since_best, end.eval_every) == (2, 1, 1, 0)
    first_val = next(r for r in records if isinstance(r, EvalRecord) and r.split == "val")
    assert end.monitor == "val_loss" and end.best_value == first_val.loss and end.best_step == first_val.step
    assert end.restored_best and end.step == 2 * records[0].steps_per_epoch
    final = {r.split: r.loss for r in records if isinstance(r, EvalRecord) and r.final}
    assert set(final) == {"train", "val", "test"} and end.summary["final"]["test_loss"] == final["test"]


def test_without_validation_there_is_no_best_to_speak_of():
    project = spiral_project(epochs=1)
    project.dataset["validation_split"] = 0
    records = list(Trainer(project, settings={**project.training, "max_steps": 3}).run())
    start, end = records[0], records[-1]
    assert isinstance(start, Started) and start.max_steps == 3 and start.total_steps == 3
    assert end.reason == "max_steps" and end.monitor == "" and end.best_value is None and not end.restored_best
