"""The optimization step, built once per run so the hot loop holds no branches it does not need.

Torch-only (no LayerLab imports but the other torch-only modules): the training_script export
embeds this module. `s` is the training settings (TrainingSettings, or a namespace of them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import nn

from engine.training.losses import LossFn

if TYPE_CHECKING:
    from engine.training.settings import TrainingSettings

StepFn = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def make_step(net: nn.Module, loss_fn: LossFn, optimizer: torch.optim.Optimizer, s: TrainingSettings,
              weights: list[nn.Parameter], params: list[nn.Parameter], autocast, scaler) -> StepFn:
    """A function (inputs, targets) -> (outputs, data loss) that takes one optimizer step.

    L1 (and, for L-BFGS, L2) enter the loss that is differentiated; the returned loss is the
    data term only, so curves compare across regularization strengths.
    """
    l1, clip = s.l1, s.grad_clip
    zero_grad = optimizer.zero_grad

    def penalty() -> torch.Tensor:
        total = torch.zeros((), device=weights[0].device)
        if l1:
            total = total + l1 * sum(w.abs().sum() for w in weights)
        if s.optimizer == "lbfgs" and s.weight_decay:
            total = total + 0.5 * s.weight_decay * sum(w.pow(2).sum() for w in weights)
        return total

    needs_penalty = bool(weights) and (l1 > 0 or (s.optimizer == "lbfgs" and s.weight_decay > 0))

    if s.optimizer == "lbfgs":
        def lbfgs_step(xb, yb):
            kept = {}

            def closure():
                zero_grad(set_to_none=True)
                out = net(xb)
                loss = loss_fn(out, yb)
                kept["out"], kept["loss"] = out, loss
                total = loss + penalty() if needs_penalty else loss
                total.backward()
                return total

            optimizer.step(closure)
            return kept["out"], kept["loss"]
        return lbfgs_step

    if scaler is not None:
        def scaled_step(xb, yb):
            zero_grad(set_to_none=True)
            with autocast():
                out = net(xb)
                loss = loss_fn(out, yb)
                total = loss + penalty() if needs_penalty else loss
            scaler.scale(total).backward()
            if clip:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(params, clip, foreach=True)
            scaler.step(optimizer)
            scaler.update()
            return out, loss
        return scaled_step

    if autocast is not None or needs_penalty or clip:
        def general_step(xb, yb):
            zero_grad(set_to_none=True)
            if autocast is not None:
                with autocast():
                    out = net(xb)
                    loss = loss_fn(out, yb)
            else:
                out = net(xb)
                loss = loss_fn(out, yb)
            (loss + penalty() if needs_penalty else loss).backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(params, clip, foreach=True)
            optimizer.step()
            return out, loss
        return general_step

    step_optimizer = optimizer.step

    def plain_step(xb, yb):
        zero_grad(set_to_none=True)
        out = net(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        step_optimizer()
        return out, loss
    return plain_step
