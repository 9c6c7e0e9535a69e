"""Gradient flow along the wires: the norm of dLoss/d(output of each layer) on a few samples,
the signal that shows vanishing or exploding gradients on the canvas itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import fx


class _Keeper(fx.Interpreter):
    def __init__(self, gm: fx.GraphModule) -> None:
        super().__init__(gm)
        self.values: dict[str, torch.Tensor] = {}

    def run_node(self, n: fx.Node) -> Any:
        result = super().run_node(n)
        if isinstance(result, torch.Tensor) and result.requires_grad:
            self.values[n.name] = result
        return result


def activation_gradient_norms(gm: fx.GraphModule, x: torch.Tensor, target: torch.Tensor,
                              loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> dict[str, float]:
    """Node id -> ||dL/d output|| per sample (root mean square over the batch), in eval mode.

    Uses torch.autograd.grad, so the parameters' .grad (the trainer's) are left untouched."""
    was_training = gm.training
    gm.eval()
    try:
        with torch.enable_grad():
            keeper = _Keeper(gm)
            out = keeper.run(x)
            names = list(keeper.values)
            if not names:
                return {}
            grads = torch.autograd.grad(loss_fn(out, target), [keeper.values[n] for n in names],
                                        allow_unused=True)
    finally:
        gm.train(was_training)
    per_value = {}
    for name, grad in zip(names, grads):
        if grad is not None:
            per_sample = grad.detach().flatten(1).norm(dim=1) if grad.dim() > 1 else grad.detach().abs()
            per_value[name] = float(per_sample.pow(2).mean().sqrt())
    node_values: dict[str, str] = gm.meta.get("layerlab_nodes", {})
    return {node_id: per_value[value] for node_id, value in node_values.items() if value in per_value}
