"""Derived live data computed in the training thread next to the trainer's own probes (while
the trainer waits, so the model is never read mid-step): the gradient flowing back along each
wire, and the decision boundary of a model with 2-D input."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.flow import activation_gradient_norms
from engine.training import records as R
from engine.training.trainer import Trainer

RESOLUTION = 80


@dataclass(frozen=True)
class FlowRecord:
    """Node id -> norm of dLoss/d(its output) on the probe samples."""

    step: int
    norms: dict[str, float]


@dataclass(frozen=True)
class BoundaryRecord:
    """Class probabilities over a RESOLUTION x RESOLUTION grid spanning `bounds` (x0, x1, y0, y1)."""

    step: int
    bounds: tuple[float, float, float, float]
    resolution: int
    probabilities: np.ndarray
    points: np.ndarray
    labels: np.ndarray


def grid(bounds: tuple[float, float, float, float], resolution: int) -> np.ndarray:
    x0, x1, y0, y1 = bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)


class LiveExtras:
    """Called by the worker on every record (in the training thread); returns derived records."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self._points: tuple[np.ndarray, np.ndarray, tuple] | None = None

    def __call__(self, record: object) -> list:
        derived = []
        if isinstance(record, R.ProbeRecord):
            derived.append(self._flow(record))
        if isinstance(record, R.ProbeRecord | R.Finished | R.Stopped):
            derived.append(self._boundary(getattr(record, "step", 0)))
        return [d for d in derived if d is not None]

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
            x = prepared.dataset.train.x[:2000].cpu().numpy()
            y = prepared.dataset.train.y[:2000].cpu().numpy()
            low, high = x.min(axis=0), x.max(axis=0)
            margin = 0.1 * (high - low + 1e-6)
            bounds = (float(low[0] - margin[0]), float(high[0] + margin[0]),
                      float(low[1] - margin[1]), float(high[1] + margin[1]))
            self._points = (x, y, bounds)
        x, y, bounds = self._points
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                inputs = torch.from_numpy(grid(bounds, RESOLUTION)).to(prepared.device)
                scores = model(inputs).float()
                probabilities = torch.softmax(scores, dim=1) if scores.shape[1] > 1 else torch.sigmoid(scores)
        finally:
            model.train(was_training)
        return BoundaryRecord(step, bounds, RESOLUTION, probabilities.cpu().numpy(), x, y)
