"""The loss and the accuracy count for an Output layer's loss choice and the task.

Torch-only (no LayerLab imports): the training_script export embeds this module.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
CorrectFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def make_loss(loss: str, label_smoothing: float, task: str, num_classes: int | None) -> LossFn:
    """A function (outputs, targets) -> mean loss. Targets are class labels for classification,
    numeric targets for regression and the inputs for reconstruction."""
    if task == "classification":
        if loss == "cross_entropy":
            return lambda out, y: F.cross_entropy(out, y, label_smoothing=label_smoothing)
        if loss == "mse_onehot":
            return lambda out, y: F.mse_loss(out, F.one_hot(y, out.shape[1]).to(out.dtype))
        if loss == "bce":
            return lambda out, y: (F.binary_cross_entropy_with_logits(out.view(-1), y.to(out.dtype))
                                   if out.shape[1] == 1 else
                                   F.binary_cross_entropy_with_logits(out, F.one_hot(y, out.shape[1]).to(out.dtype)))
    if loss == "bce":
        return lambda out, y: F.binary_cross_entropy_with_logits(out, y.reshape(out.shape).to(out.dtype))
    return lambda out, y: F.mse_loss(out, y.reshape(out.shape).to(out.dtype))


def make_correct(task: str) -> CorrectFn | None:
    """(outputs, labels) -> number of right predictions (a tensor), or None when there is no accuracy."""
    if task != "classification":
        return None

    def correct(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        predicted = (out.view(-1) > 0).long() if out.shape[1] == 1 else out.argmax(1)
        return (predicted == y).sum()

    return correct
