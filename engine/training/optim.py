"""Optimizers and learning-rate schedules from TrainingSettings.

Torch-only (no LayerLab imports): the training_script export embeds this module. `s` is the
training settings (TrainingSettings, or a namespace of them).
"""

from __future__ import annotations

import inspect
import math
import sys
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

if TYPE_CHECKING:
    from engine.training.settings import TrainingSettings


def split_decay(model: nn.Module) -> tuple[list[nn.Parameter], list[nn.Parameter]]:
    """(weights, others): L1/L2 act on weights (2-D and up), never on biases or norm scales."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [p for p in params if p.ndim >= 2], [p for p in params if p.ndim < 2]


KINDS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
         "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}
CAPTURABLE = ("sgd", "adam", "adamw")
"""Optimizers whose step is captured in a CUDA graph (sgd keeps no step count; adam and adamw take
capturable=True); adagrad counts its steps on the host, lbfgs re-evaluates the loss, and rmsprop is
not captured yet."""


def torch_fused_devices() -> set[str]:
    """Device types for which this PyTorch has fused optimizer kernels at all."""
    try:
        from torch.optim.optimizer import _get_fused_kernels_supported_devices
        return set(_get_fused_kernels_supported_devices())
    except (ImportError, AttributeError):  # an older or newer PyTorch: the two that always had them
        return {"cpu", "cuda"}


def fused_without_cuda(cls: type) -> bool:
    """True when this PyTorch's fused kernel for `cls` has no CUDA version (Adagrad before 2.12:
    its device check passes cuda_unsupported=True, and its help says 'CPU only')."""
    try:
        source = inspect.getsource(sys.modules[cls.__module__])
    except (OSError, TypeError, KeyError):
        source = ""
    return "cuda_unsupported=True" in source or "(CPU only)" in (cls.__doc__ or "")


def kernel_choice(cls: type, device_type: str, fused_devices: set[str] | None = None,
                  cuda_unsupported: bool | None = None) -> dict[str, bool]:
    """{'fused': True} where `cls` has a fused kernel for `device_type` in this PyTorch (CPU and
    CUDA only), else {'foreach': True} (not on MPS, where foreach is left to PyTorch: {}).
    `fused_devices` and `cuda_unsupported` default to what the installed PyTorch says."""
    fused_devices = torch_fused_devices() if fused_devices is None else fused_devices
    if cuda_unsupported is None:
        cuda_unsupported = fused_without_cuda(cls)
    has_fused = "fused" in inspect.signature(cls.__init__).parameters
    if has_fused and device_type in ("cpu", "cuda") and device_type in fused_devices \
            and not (device_type == "cuda" and cuda_unsupported):
        return {"fused": True}
    return {} if device_type == "mps" else {"foreach": True}


def build_optimizer(model: nn.Module, s: TrainingSettings, device: torch.device,
                    capturable: bool = False) -> torch.optim.Optimizer:
    """The optimizer; fused kernels where PyTorch has them for this device and optimizer, foreach
    otherwise. `capturable` (CUDA graphs): the step count and the learning rate live on the device."""
    weights, others = split_decay(model)
    decay = 0.0 if s.optimizer == "lbfgs" else s.weight_decay
    groups: list[dict[str, Any]] = [{"params": weights, "weight_decay": decay},
                                    {"params": others, "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    if s.optimizer == "lbfgs":
        return torch.optim.LBFGS([p for g in groups for p in g["params"]], lr=s.lr, max_iter=s.lbfgs_max_iter,
                                 history_size=s.lbfgs_history,
                                 line_search_fn="strong_wolfe" if s.lbfgs_line_search else None)
    extras = {
        "sgd": {"momentum": s.momentum, "nesterov": s.nesterov},
        "adam": {"betas": (s.beta1, s.beta2), "eps": s.eps},
        "adamw": {"betas": (s.beta1, s.beta2), "eps": s.eps},
        "rmsprop": {"alpha": s.rms_alpha, "eps": s.eps, "momentum": s.momentum},
        "adagrad": {"eps": s.eps},
    }
    cls, extra = KINDS[s.optimizer], extras[s.optimizer]
    kernels = kernel_choice(cls, device.type)
    lr: float | torch.Tensor = s.lr
    if capturable and s.optimizer in CAPTURABLE:
        if "capturable" in inspect.signature(cls.__init__).parameters and device.type == "cuda":
            extra = {**extra, "capturable": True}
        lr = torch.tensor(float(s.lr), device=device)  # a schedule changes it in place, graph or not
        for group in groups:
            group["lr"] = lr.clone()
    return cls(groups, lr=lr, **kernels, **extra)


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
        self.lr_tensors = [g["lr"] if isinstance(g["lr"], torch.Tensor) else None for g in optimizer.param_groups]

    def keep_lr_tensors(self) -> None:
        """A learning rate that lives on the device (a captured step reads it) stays the same
        tensor: a float put in its place (older PyTorch schedulers, set_lr) is copied into it."""
        for group, tensor in zip(self.optimizer.param_groups, self.lr_tensors):
            if tensor is not None and group["lr"] is not tensor:
                tensor.fill_(float(group["lr"]))
                group["lr"] = tensor

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def after_step(self) -> None:
        self.torch.step()
        if self.lr_tensors[0] is not None:
            self.keep_lr_tensors()

    def after_epoch(self, monitored_loss: float) -> None:
        if self.kind == "plateau":
            self.torch.step(monitored_loss)
        elif self.kind in ("step", "invscaling"):
            self.torch.step()
        self.keep_lr_tensors()

    def set_lr(self, lr: float) -> None:
        """Change the learning rate now (the schedule goes on from the new value)."""
        if self.kind == "invscaling":
            factor = self.torch.lr_lambdas[0](self.torch.last_epoch)
            self.torch.base_lrs = [lr / factor for _ in self.torch.base_lrs]
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        if self.kind == "cosine":
            self.torch.base_lrs = [lr for _ in self.torch.base_lrs]
        self.keep_lr_tensors()

    def state_dict(self) -> dict[str, Any]:
        if self.torch is None:
            return {}
        state = self.torch.state_dict()
        state.pop("lr_lambdas", None)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.torch is not None and state:
            self.torch.load_state_dict({**self.torch.state_dict(), **state})
