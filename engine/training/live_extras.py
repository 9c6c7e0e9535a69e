"""Derived live data, computed in the training thread next to the trainer's own probes (while the
trainer waits, so the model is never read mid-step): the gradient flowing back along each wire,
the decision boundary of a model with 2-D input, and, whenever the run pauses (Pause, each Step)
or ends, a fresh probe of the current weights with everything derived from it (the autoencoder's
walks between codes, the confusion matrix when asked), so every view moves with the model.

    extras = LiveExtras(trainer, requests)
    for record in trainer.run():
        derived = extras(record)               # ride in the same batch as `record`
        if isinstance(record, END_RECORDS):
            derived = extras.after_end(record)  # the end's predictions (a whole split), sent after it

With Started comes a RunModel: the run's model and data, for evaluations after the run. Torch
and numpy only: the app's views read these records, never the trainer."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import torch
from torch import fx

from engine.data.dataset import Dataset
from engine.flow import activation_gradient_norms
from engine.predictions import SplitPredictions, predict_split
from engine.training import records as R
from engine.training.boundary import data_bounds, fit_aspect, grid_points, grid_shape
from engine.training.code_walk import CodeWalker
from engine.training.probes import ProbeCollector, one_thread, probe_batch
from engine.training.trainer import Trainer

BOUNDARY_POINTS = 2000


@dataclass(frozen=True)
class RunModel:
    """The run's model (trained in place; at the end holding the weights the run kept) and its data.
    Use them only on the thread that trains, and after the run only once it has ended."""

    model: fx.GraphModule
    dataset: Dataset

    @property
    def task(self) -> str:
        return self.dataset.task

    @property
    def prediction_split(self) -> str:
        return prediction_split(self.dataset)


@dataclass(frozen=True)
class FlowRecord:
    """Node id -> norm of dLoss/d(its output) on the probe samples."""

    step: int
    norms: dict[str, float]


@dataclass(frozen=True)
class BoundaryRecord:
    """Class probabilities over a grid of `shape` (rows, columns) spanning `bounds` (x0, x1, y0, y1)."""

    step: int
    bounds: tuple[float, float, float, float]
    shape: tuple[int, int]
    probabilities: np.ndarray
    points: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True)
class PredictionsRecord:
    """Class predictions of the current weights on a split (for the confusion matrix)."""

    step: int
    epoch: int
    result: SplitPredictions


@dataclass(frozen=True)
class WalksRecord:
    """Autoencoder: decoded blends between the codes of every pair (a < b) of probe samples."""

    step: int
    frames: dict[tuple[int, int], np.ndarray]


class ViewRequests:
    """What the views ask of the derived records: set on the GUI thread, read on the training thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._predictions = False
        self.confusion_shown = False  # the confusion view is visible: refresh it at each pause
        self.boundary_aspect = 1.0  # width / height of the boundary's plotting area

    def ask_predictions(self) -> None:
        with self._lock:
            self._predictions = True

    @property
    def pending(self) -> bool:
        return self._predictions

    def take_predictions(self) -> bool:
        with self._lock:
            wanted, self._predictions = self._predictions, False
            return wanted


def prediction_split(dataset: Dataset) -> str:
    """The split the confusion matrix shows: validation, else test."""
    return "val" if len(dataset.val) else "test"


class LiveExtras:
    """Called on every record of `trainer` (in the training thread); returns derived records."""

    def __init__(self, trainer: Trainer, requests: ViewRequests | None = None) -> None:
        self.trainer = trainer
        self.requests = requests if requests is not None else ViewRequests()
        self._points: tuple[np.ndarray, np.ndarray, tuple] | None = None
        self._collector: ProbeCollector | None = None
        self._walker: CodeWalker | None = None
        self._probed_step: int | None = None
        self._epoch = 0

    def __call__(self, record: object) -> list:
        if isinstance(record, R.Started):
            return self._run_model()
        if isinstance(record, (R.StepRecord, R.EpochRecord, R.EvalRecord, R.Paused)):
            self._epoch = record.epoch
        if not isinstance(record, (R.ProbeRecord, R.Paused, R.Finished, R.Stopped)) and not self.requests.pending:
            return []
        with one_thread():  # small batches: one thread is faster than two waiting for each other
            derived = self._derive(record)
        pause = isinstance(record, R.Paused) and self.requests.confusion_shown
        if (pause or self.requests.take_predictions()) and not isinstance(record, R.END_RECORDS):
            derived.append(self._predictions(getattr(record, "step", 0)))  # a whole split: every thread
        return [d for d in derived if d is not None]

    def after_end(self, record: object) -> list:
        """After Finished or Stopped (not an abort): the predictions of the weights the run kept on
        the validation (else test) split, for a classification run."""
        prepared = self.trainer.prepared
        if not isinstance(record, (R.Finished, R.Stopped)) or record.reason == "aborted" or prepared is None:
            return []
        if prepared.dataset.task != "classification":
            return []
        found = self._predictions(record.step, getattr(record, "epochs_run", self._epoch))
        return [] if found is None else [found]

    def _run_model(self) -> list:
        prepared, model = self.trainer.prepared, self.trainer.model
        return [] if prepared is None or model is None else [RunModel(model, prepared.dataset)]

    def _derive(self, record: object) -> list:
        derived: list = []
        probe = None
        if isinstance(record, R.ProbeRecord):
            probe = record
        elif isinstance(record, R.Paused) and record.step != self._probed_step or \
                isinstance(record, (R.Finished, R.Stopped)) and record.reason != "aborted":
            probe = self._probe_now(record)  # the current (at the end: restored best) weights
            derived.append(probe)
        if probe is not None:
            self._probed_step = probe.step
            derived += [self._flow(probe), self._boundary(probe.step)]
            if not isinstance(record, R.ProbeRecord):
                derived.append(self._walks(probe))
        return derived

    # -- a probe of the current weights --------------------------------------------------------
    def _probe_now(self, record) -> R.ProbeRecord | None:
        prepared, model = self.trainer.prepared, self.trainer.model
        if prepared is None or model is None:
            return None
        if self._collector is None:
            x, y = probe_batch(prepared.dataset, self.trainer.settings.probe_samples, prepared.device)
            self._collector = ProbeCollector(model, x, y, self.trainer.settings.histogram_bins)
        epoch = getattr(record, "epoch", None) or getattr(record, "epochs_run", self._epoch)
        return self._collector.collect(record.step, epoch)

    def _flow(self, record: R.ProbeRecord) -> FlowRecord | None:
        prepared, model = self.trainer.prepared, self.trainer.model
        if prepared is None or model is None or record.inputs is None:
            return None
        x = torch.from_numpy(record.inputs).to(prepared.device)
        target = x if record.targets is None else torch.from_numpy(record.targets).to(prepared.device)
        if prepared.dataset.task == "classification":
            target = target.long()  # probe labels arrive as floats
        try:
            norms = activation_gradient_norms(model, x, target, prepared.loss_fn)
        except RuntimeError:
            return None  # e.g. a loss that needs a full batch; the views simply skip this probe
        return FlowRecord(record.step, norms)

    def _boundary(self, step: int) -> BoundaryRecord | None:
        prepared, model = self.trainer.prepared, self.trainer.model
        if prepared is None or model is None or tuple(prepared.dataset.sample_shape) != (2,):
            return None
        if prepared.dataset.task != "classification" or not prepared.dataset.train.in_memory:
            return None
        if self._points is None:
            x = prepared.dataset.train.x[:BOUNDARY_POINTS].cpu().numpy()
            y = prepared.dataset.train.y[:BOUNDARY_POINTS].cpu().numpy()
            self._points = (x, y, data_bounds(x))
        x, y, bounds = self._points
        bounds = fit_aspect(bounds, min(4.0, max(0.25, self.requests.boundary_aspect)))
        shape = grid_shape(bounds)
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                inputs = torch.from_numpy(grid_points(bounds, shape)).to(prepared.device)
                scores = model(inputs).float()
                probabilities = torch.softmax(scores, dim=1) if scores.shape[1] > 1 else torch.sigmoid(scores)
        finally:
            model.train(was_training)
        return BoundaryRecord(step, bounds, shape, probabilities.cpu().numpy(), x, y)

    def _walks(self, probe: R.ProbeRecord) -> WalksRecord | None:
        prepared, model = self.trainer.prepared, self.trainer.model
        if prepared is None or model is None or prepared.dataset.task != "reconstruction":
            return None
        if self._walker is None:
            self._walker = CodeWalker(prepared.network, model, prepared.device)
        frames = self._walker.walks(probe.inputs)
        return None if frames is None else WalksRecord(probe.step, frames)

    def _predictions(self, step: int, epoch: int | None = None) -> PredictionsRecord | None:
        prepared, model = self.trainer.prepared, self.trainer.model
        if prepared is None or model is None:
            return None
        result = predict_split(model, prepared.dataset, prediction_split(prepared.dataset))
        return None if result is None else PredictionsRecord(step, self._epoch if epoch is None else epoch, result)
