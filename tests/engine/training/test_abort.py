"""abort(): the run ends at once (the app is closing), even inside an evaluation."""

import pytest
import torch

from engine.training import EvalRecord, Started, StepRecord, Stopped, Trainer
from engine.training.evaluate import EvaluationAborted, evaluate
from tests.engine.training.helpers import spiral_project


def test_abort_between_steps_skips_the_final_evaluation(tmp_path):
    trainer = Trainer(spiral_project(epochs=50, log_every=1), checkpoint_path=tmp_path / "checkpoint.pt")
    records = []
    for record in trainer.run():
        records.append(record)
        if isinstance(record, StepRecord) and record.step == 3:
            trainer.abort()
    end = records[-1]
    assert isinstance(end, Stopped) and end.reason == "aborted" and end.step == 3
    assert end.summary["stopped_reason"] == "aborted" and end.summary["final"] == {}
    assert not any(isinstance(r, EvalRecord) and r.final for r in records)
    assert not (tmp_path / "checkpoint.pt").exists()


def test_abort_reaches_into_a_validation_pass():
    trainer = Trainer(spiral_project(epochs=50, log_every=1, eval_every=1, eval_batch_size=1))
    records = []
    for record in trainer.run():
        records.append(record)
        if isinstance(record, StepRecord):
            trainer.abort()  # the validation of this very step is next: it must not run to the end
    assert [type(r) for r in records] == [Started, StepRecord, Stopped]
    assert records[-1].reason == "aborted"


def test_abort_during_the_final_evaluation_ends_it():
    trainer = Trainer(spiral_project(epochs=1))
    records = []
    for record in trainer.run():
        records.append(record)
        if isinstance(record, EvalRecord) and record.final and record.split == "train":
            trainer.abort()
    assert [r.split for r in records if isinstance(r, EvalRecord) and r.final] == ["train"]
    assert isinstance(records[-1], Stopped) and records[-1].reason == "aborted"


def test_stop_still_runs_the_final_evaluation():
    trainer = Trainer(spiral_project(epochs=50, log_every=1))
    records = []
    for record in trainer.run():
        records.append(record)
        if isinstance(record, StepRecord) and record.step == 2:
            trainer.stop()
    assert records[-1].reason == "stopped"
    assert {r.split for r in records if isinstance(r, EvalRecord) and r.final} == {"train", "val", "test"}


def test_evaluate_asks_before_each_batch():
    model = torch.nn.Linear(2, 2)
    x, y = torch.randn(10, 2), torch.randint(0, 2, (10,))

    class Split:
        in_memory = True

        def __init__(self) -> None:
            self.x, self.y = x, y

        def __len__(self) -> int:
            return len(self.x)

    asked = []

    def aborted() -> bool:
        asked.append(1)
        return len(asked) > 3

    loss = torch.nn.functional.cross_entropy
    with pytest.raises(EvaluationAborted):
        evaluate(model, Split(), loss, None, 2, torch.device("cpu"), False, aborted=aborted)
    assert len(asked) == 4 and model.training  # the mode is restored
