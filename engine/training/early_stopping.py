"""Best-weights tracking and early stopping (the classic meta-algorithm): evaluate every n steps;
keep a copy of the best parameters; stop after `patience` evaluations without improvement.

Torch-only (no LayerLab imports): the training_script export embeds this module.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class BestTracker:
    """Remembers the best monitored value, its step and epoch, and a copy of those weights."""

    def __init__(self, monitor: str, patience: int, min_delta: float) -> None:
        self.maximize = monitor.endswith("accuracy")
        self.patience, self.min_delta = patience, min_delta
        self.best: float | None = None
        self.best_step: int | None = None
        self.best_epoch: int | None = None
        self.state: dict[str, torch.Tensor] | None = None
        self.bad_evaluations = 0

    def update(self, value: float, step: int, epoch: int, model: nn.Module) -> bool:
        """Record an evaluation; True if it is the new best (its weights are copied)."""
        better = self.best is None or (value > self.best + self.min_delta if self.maximize
                                       else value < self.best - self.min_delta)
        if better:
            self.best, self.best_step, self.best_epoch = value, step, epoch
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            self.bad_evaluations = 0
        else:
            self.bad_evaluations += 1
        return better

    @property
    def exhausted(self) -> bool:
        return self.bad_evaluations >= self.patience

    def restore(self, model: nn.Module) -> bool:
        if self.state is None:
            return False
        model.load_state_dict(self.state)
        return True

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_step": self.best_step, "best_epoch": self.best_epoch,
                "state": self.state, "bad_evaluations": self.bad_evaluations}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        self.best, self.best_step, self.best_epoch = saved["best"], saved["best_step"], saved["best_epoch"]
        self.state, self.bad_evaluations = saved["state"], saved["bad_evaluations"]
