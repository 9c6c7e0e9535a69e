"""Evaluate a model on one split: mean loss and, for classification, accuracy.

Torch-only (no LayerLab imports but the other torch-only modules): the training_script export
embeds this module, so an exported script evaluates as the app does.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from engine.data.splits import Split
from engine.training.batching import eval_batches
from engine.training.distributed import DistContext, all_sum
from engine.training.losses import CorrectFn, LossFn


class EvaluationAborted(Exception):
    """`evaluate` stopped between batches because `aborted()` said so."""


def evaluate(model: nn.Module, split: Split, loss_fn: LossFn, correct_fn: CorrectFn | None, batch: int,
             device: torch.device, reconstruction: bool, ctx: DistContext | None = None,
             autocast=None, aborted: Callable[[], bool] | None = None) -> tuple[float, float | None]:
    """(mean loss, accuracy or None). Dropout and batch norm run in eval mode; the previous mode
    is restored. Under DDP each rank evaluates its part and the sums are combined. `aborted()` is
    asked before each batch; when it returns True, EvaluationAborted is raised."""
    ctx = ctx or DistContext()
    was_training = model.training
    model.eval()
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    try:
        with torch.inference_mode():
            for xb, yb in eval_batches(split, batch, device, reconstruction, ctx.rank, ctx.world_size):
                if aborted is not None and aborted():
                    raise EvaluationAborted
                if autocast is not None:
                    with autocast():
                        out = model(xb)
                else:
                    out = model(xb)
                out = out.float()
                totals[0] += loss_fn(out, yb).double() * len(xb)
                if correct_fn is not None:
                    totals[1] += correct_fn(out, yb)
                totals[2] += len(xb)
    finally:
        model.train(was_training)
    loss_sum, correct, count = all_sum(totals.clone(), ctx).tolist()
    if count == 0:
        return float("nan"), None
    return loss_sum / count, (correct / count if correct_fn is not None else None)
