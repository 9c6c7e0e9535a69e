"""engine.training.live_extras and code_walk: the derived records the app's views read, made on
the training thread from the trainer's model (the app never reads the trainer itself)."""

from __future__ import annotations

import numpy as np
import torch

from engine.compiler import compile_network
from engine.project import load_project
from engine.shapes import infer_shapes
from engine.training import records as R
from engine.training.code_walk import STEPS, CodeWalker, find_code_split
from engine.training.live_extras import (
    BoundaryRecord,
    FlowRecord,
    LiveExtras,
    PredictionsRecord,
    RunModel,
    ViewRequests,
    WalksRecord,
)
from engine.training.trainer import Trainer
from tests.conftest import ROOT
from tests.engine.training.helpers import spiral_project


def derived_records(trainer: Trainer, requests: ViewRequests | None = None) -> tuple[list, list, list]:
    """(the trainer's records, the records derived with them, those derived after the end)."""
    extras = LiveExtras(trainer, requests)
    records, derived, after = [], [], []
    for record in trainer.run():
        records.append(record)
        derived.extend(extras(record))
        if isinstance(record, R.END_RECORDS):
            after.extend(extras.after_end(record))
    return records, derived, after


def test_a_classification_run_sends_its_model_flow_boundary_and_end_predictions():
    trainer = Trainer(spiral_project(samples=120, epochs=2, probe_every=2))
    records, derived, after = derived_records(trainer)
    assert isinstance(records[-1], R.Finished), records[-1]
    (run,) = [d for d in derived if isinstance(d, RunModel)]
    assert run.model is trainer.model and run.task == "classification" and run.prediction_split == "val"
    flows = [d for d in derived if isinstance(d, FlowRecord)]
    assert flows and set(flows[-1].norms) >= {"n2", "n4"}  # the Dense layers (ids of the builder)
    assert all(np.isfinite(v) and v >= 0 for v in flows[-1].norms.values())
    boundary = [d for d in derived if isinstance(d, BoundaryRecord)][-1]
    rows, columns = boundary.shape
    assert boundary.probabilities.shape == (rows * columns, 2)
    assert np.allclose(boundary.probabilities.sum(axis=1), 1, atol=1e-5)
    (end,) = after  # the predictions of the weights the run kept, on the validation split
    assert isinstance(end, PredictionsRecord) and end.result.split == "val"
    assert len(end.result.predictions) == len(run.dataset.val) > 0
    assert not [d for d in derived if isinstance(d, PredictionsRecord)]  # nobody asked during the run


def test_predictions_are_made_when_a_view_asks_and_not_after_an_abort():
    requests = ViewRequests()
    requests.ask_predictions()
    trainer = Trainer(spiral_project(samples=120, epochs=1))
    trainer.abort()
    records, derived, after = derived_records(trainer, requests)
    assert isinstance(records[-1], R.Stopped) and records[-1].reason == "aborted"
    assert after == []
    requests = ViewRequests()
    requests.ask_predictions()
    records, derived, after = derived_records(Trainer(spiral_project(samples=120, epochs=1)), requests)
    assert [d for d in derived if isinstance(d, PredictionsRecord)], "the asked-for predictions"
    assert not requests.pending


def test_the_code_walk_cuts_at_the_bottleneck_never_at_the_input_or_output():
    project = load_project(ROOT / "sample_projects" / "encoder_8_3_8.layerlab")
    network = project.network
    model = compile_network(network, infer_shapes(network))
    encoder, decoder = find_code_split(network, model)
    x = torch.eye(8)
    assert encoder(x).shape == (8, 3)  # the 3-unit code
    assert torch.allclose(decoder(encoder(x)), model(x), atol=1e-6)
    frames = CodeWalker(network, model).walks(x[:3].numpy())
    assert set(frames) == {(0, 1), (0, 2), (1, 2)}
    with torch.no_grad():
        ends = model(x[:2]).numpy()
    assert frames[(0, 1)].shape == (STEPS, 8)
    assert np.allclose(frames[(0, 1)][0], ends[0], atol=1e-5) and np.allclose(frames[(0, 1)][-1], ends[1], atol=1e-5)


def test_a_reconstruction_run_sends_walks_at_its_end():
    project = load_project(ROOT / "sample_projects" / "encoder_8_3_8.layerlab")
    project.training.update(epochs=3)
    records, derived, after = derived_records(Trainer(project))
    assert isinstance(records[-1], R.Finished)
    walks = [d for d in derived if isinstance(d, WalksRecord)]
    assert walks and all(frames.shape[0] == STEPS for frames in walks[-1].frames.values())
    assert after == []  # no confusion matrix for a reconstruction
