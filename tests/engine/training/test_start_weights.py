"""training.init_from: a run starts from earlier weights wherever name and shape fit (a new head
starts fresh, and the run's notes say so); a source that cannot be used fails before the first step,
naming it and the fix."""

from __future__ import annotations

import torch

from engine.run_dir import read_run, train_to_directory
from engine.training import Failed, Started, Trainer
from tests.engine.training.helpers import run_all, spiral_project


def test_a_run_starts_from_a_runs_weights_and_a_new_head_starts_fresh(tmp_path):
    first = spiral_project(epochs=2)
    train_to_directory(Trainer(first), tmp_path / "first")
    before = read_run(tmp_path / "first").weights()
    wider = spiral_project(epochs=1, lr=1e-12, init_from=str(tmp_path / "first"))  # a step that changes nothing
    wider.network.rename(wider.network.find("scores"), "head")  # a new head, as when fine-tuning
    trainer = Trainer(wider)
    records = run_all(trainer)
    started = next(r for r in records if isinstance(r, Started))
    note = next(n for n in started.notes if n.startswith("Started from the weights"))
    assert "2 of 4 tensors" in note and "head.weight" in note  # hidden copied, the new head fresh
    state = trainer.model.state_dict()
    assert torch.allclose(state["hidden.weight"], before["hidden.weight"], atol=1e-6)
    assert not torch.allclose(state["head.weight"], before["scores.weight"], atol=1e-3)


def test_a_source_that_cannot_be_used_is_named_before_the_first_step(tmp_path):
    for source, words in ((tmp_path / "nowhere", "does not exist"), (tmp_path, "does not exist")):
        records = run_all(Trainer(spiral_project(init_from=str(source))))
        failed = records[-1]
        assert isinstance(failed, Failed) and "training.init_from" in failed.message and words in failed.message
        assert "clear training.init_from" in failed.message
