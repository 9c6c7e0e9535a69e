"""Optimizers and learning-rate schedules from TrainingSettings.

Torch-only (no LayerLab imports): the training_script export embeds this module. `s` is the
training settings (TrainingSettings, or a namespace of them).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

if TYPE_CHECKING:
    from engine.training.settings import TrainingSettings


def split_decay(model: nn.Module) -> tuple[list[nn.Parameter], list[nn.Parameter]]:
    """(weights, others): L1/L2 act on weights (2-D and up), never on biases or norm scales."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [p for p in params if p.ndim >= 2], [p for p in params if p.ndim < 2]


def build_optimizer(model: nn.Module, s: TrainingSettings, device: torch.device) -> torch.optim.Optimizer:
    """The optimizer; fused kernels where PyTorch has them for this device, foreach otherwise."""
    weights, others = split_decay(model)
    decay = 0.0 if s.optimizer == "lbfgs" else s.weight_decay
    groups: list[dict[str, Any]] = [{"params": weights, "weight_decay": decay},
                                    {"params": others, "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    if s.optimizer == "lbfgs":
        return torch.optim.LBFGS([p for g in groups for p in g["params"]], lr=s.lr, max_iter=s.lbfgs_max_iter,
                                 history_size=s.lbfgs_history,
                                 line_search_fn="strong_wolfe" if s.lbfgs_line_search else None)
    kinds = {
        "sgd": (torch.optim.SGD, {"momentum": s.momentum, "nesterov": s.nesterov}),
        "adam": (torch.optim.Adam, {"betas": (s.beta1, s.beta2), "eps": s.eps}),
        "adamw": (torch.optim.AdamW, {"betas": (s.beta1, s.beta2), "eps": s.eps}),
        "rmsprop": (torch.optim.RMSprop, {"alpha": s.rms_alpha, "eps": s.eps, "momentum": s.momentum}),
        "adagrad": (torch.optim.Adagrad, {"eps": s.eps}),
    }
    cls, extra = kinds[s.optimizer]
    if cls is not torch.optim.RMSprop and device.type in ("cuda", "cpu"):
        try:
            return cls(groups, lr=s.lr, fused=True, **extra)
        except (RuntimeError, TypeError, ValueError):
            pass
    return cls(groups, lr=s.lr, foreach=device.type != "mps" or None, **extra)


class Schedule:
    """The learning-rate schedule: `after_step()` each step (cosine), `after_epoch(loss)` each epoch."""

    def __init__(self, optimizer: torch.optim.Optimizer, s: TrainingSettings, steps_per_epoch: int,
                 train_size: int) -> None:
        self.optimizer, self.kind = optimizer, "plateau" if s.schedule == "adaptive" else s.schedule
        total = max(1, s.max_steps or s.epochs * steps_per_epoch)
        sched = torch.optim.lr_scheduler
        self.torch: Any = None
        if self.kind == "step":
            self.torch = sched.StepLR(optimizer, step_size=s.step_size, gamma=s.gamma)
        elif self.kind == "cosine":
            self.torch = sched.CosineAnnealingLR(optimizer, T_max=total, eta_min=s.min_lr)
        elif self.kind == "invscaling":
            power, n = s.power_t, train_size
            self.torch = sched.LambdaLR(optimizer, lambda epoch: 1.0 / math.pow(epoch * n + 1, power))
        elif self.kind == "plateau":
            self.torch = sched.ReduceLROnPlateau(optimizer, mode="min", factor=s.plateau_factor,
                                                 patience=s.plateau_patience, threshold=s.plateau_threshold,
                                                 threshold_mode="abs", min_lr=s.min_lr)
        self.per_step = self.kind == "cosine"

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def after_step(self) -> None:
        self.torch.step()

    def after_epoch(self, monitored_loss: float) -> None:
        if self.kind == "plateau":
            self.torch.step(monitored_loss)
        elif self.kind in ("step", "invscaling"):
            self.torch.step()

    def set_lr(self, lr: float) -> None:
        """Change the learning rate now (the schedule goes on from the new value)."""
        if self.kind == "invscaling":
            factor = self.torch.lr_lambdas[0](self.torch.last_epoch)
            self.torch.base_lrs = [lr / factor for _ in self.torch.base_lrs]
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        if self.kind == "cosine":
            self.torch.base_lrs = [lr for _ in self.torch.base_lrs]

    def state_dict(self) -> dict[str, Any]:
        if self.torch is None:
            return {}
        state = self.torch.state_dict()
        state.pop("lr_lambdas", None)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.torch is not None and state:
            self.torch.load_state_dict({**self.torch.state_dict(), **state})
