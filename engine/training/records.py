"""The plain records a training run yields. They hold only numbers, strings, dicts and numpy
arrays, so a GUI thread can receive them as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Started:
    """Training is about to take its first step. `start_epoch` epochs and `start_step` steps were done
before (a resumed run); the run ends after `epochs` epochs, or after `max_steps` steps when that is
not 0."""

    device: str
    world_size: int
    parameters: int
    train_samples: int
    val_samples: int
    test_samples: int
    steps_per_epoch: int
    batch_size: int
    epochs: int
    start_epoch: int = 0
    start_step: int = 0
    notes: tuple[str, ...] = ()
    max_steps: int = 0

    @property
    def total_steps(self) -> int:
        """Where the run ends if nothing stops it earlier (the steps of all epochs, or max_steps)."""
        planned = self.epochs * self.steps_per_epoch
        return min(planned, self.max_steps) if self.max_steps else planned


@dataclass(frozen=True)
class StepRecord:
    """The running loss: after the run's first step, every `log_every` steps, whenever a growing
    interval of training time has passed (dense at the start, sparse later: see trainer.LOG_SECONDS),
    and after each single step taken while paused. `epoch` is 1-based (the epoch in progress),
    `batch` of `batches` the position in it; `loss` is the mean since the previous StepRecord."""

    step: int
    epoch: int
    batch: int
    batches: int
    loss: float
    lr: float
    samples_seen: int
    samples_per_second: float
    train_seconds: float


@dataclass(frozen=True)
class EpochRecord:
    """The end of an epoch: mean training loss (and accuracy for classification) over its steps."""

    epoch: int
    step: int
    train_loss: float
    train_accuracy: float | None
    lr: float
    seconds: float
    samples_per_second: float
    val_loss: float | None = None
    val_accuracy: float | None = None


@dataclass(frozen=True)
class EvalRecord:
    """An evaluation of one split ('val', 'train' or 'test')."""

    step: int
    epoch: int
    split: str
    loss: float
    accuracy: float | None
    is_best: bool = False
    best_step: int | None = None
    final: bool = False


@dataclass(frozen=True)
class ProbeRecord:
    """Probe data, keyed by node id at the top level and by module path inside blocks ('stage2.0.conv1';
    `inner` maps each such path to its node-id chain, the top-level block first; see
    engine.training.probes). activations: float32 array [probe samples, *shape] per layer;
    grad_norm / grad_mean_abs: per parameterized layer, in the model's order; weights: conv kernels
    [out, in, kh, kw] and the first Dense layer's matrix [units, features]; histograms: (counts, bin
    edges) per layer."""

    step: int
    epoch: int
    inputs: np.ndarray
    targets: np.ndarray | None
    outputs: np.ndarray
    activations: dict[str, np.ndarray]
    grad_norm: dict[str, float]
    grad_mean_abs: dict[str, float]
    weights: dict[str, np.ndarray]
    weight_histograms: dict[str, tuple[np.ndarray, np.ndarray]]
    grad_histograms: dict[str, tuple[np.ndarray, np.ndarray]]
    inner: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Paused:
    """The run is paused after `step`; call resume() or step_once() to go on."""

    step: int
    epoch: int


@dataclass(frozen=True)
class _RunEnd:
    """How a run ended. `step` and `epochs_run` are where it ended (a partly done epoch counts);
    `reason` is summary.json's stopped_reason; `summary` is summary.json's dict (with `final`, the
    train / val / test figures after the run, None for an empty split).

    The best evaluation: `best_step` / `best_epoch` (the end itself when nothing was evaluated),
    `monitor` ('val_loss' or 'val_accuracy'; '' when no validation ran), its value `best_value`,
    `restored_best` (the weights at the end are the best evaluation's), `evaluations_since_best`
    (for early stopping: the evaluations without improvement that ended the run), `eval_every`
    (0: an evaluation per epoch, else every that many steps)."""

    reason: str
    step: int
    epochs_run: int
    best_step: int | None
    best_epoch: int | None
    summary: dict[str, Any] = field(default_factory=dict)
    monitor: str = ""
    best_value: float | None = None
    restored_best: bool = False
    evaluations_since_best: int = 0
    eval_every: int = 0


@dataclass(frozen=True)
class Finished(_RunEnd):
    """The run ended normally (all epochs, max_steps or early stopping)."""


@dataclass(frozen=True)
class Stopped(_RunEnd):
    """The run was stopped on request; the weights are the best (or last) ones."""


@dataclass(frozen=True)
class Failed:
    """The run could not start or go on; `message` says why and what to change. The other fields
    are as in Finished (`summary` is empty when the run never started)."""

    message: str
    step: int = 0
    epochs_run: int = 0
    best_step: int | None = None
    best_epoch: int | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    monitor: str = ""
    best_value: float | None = None
    restored_best: bool = False
    evaluations_since_best: int = 0
    eval_every: int = 0

    @property
    def reason(self) -> str:
        return self.summary.get("stopped_reason") or "failed"


Record = Started | StepRecord | EpochRecord | EvalRecord | ProbeRecord | Paused | Finished | Stopped | Failed
END_RECORDS = (Finished, Stopped, Failed)
