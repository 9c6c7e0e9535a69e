"""Gradient flow along the wires: the norm of dLoss/d(output of each layer) on a few samples,
the signal that shows vanishing or exploding gradients on the canvas itself."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import torch
from torch import fx

from engine.blocks.paths import layer_places


def _rms_norm(grad: torch.Tensor) -> float:
    """||gradient|| per sample, root mean square over the batch."""
    per_sample = grad.detach().flatten(1).norm(dim=1) if grad.dim() > 1 else grad.detach().abs()
    return float(per_sample.pow(2).mean().sqrt())


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
    """Node id -> ||dL/d output|| per sample (root mean square over the batch), in eval mode; the
    layers inside blocks under their module path ('stage2.0.conv1', as probes key them).

    Uses torch.autograd.grad, so the parameters' .grad (the trainer's) are left untouched."""
    was_training = gm.training
    gm.eval()
    inner: dict[str, torch.Tensor] = {}
    hooks = [gm.get_submodule(place.path).register_forward_hook(partial(_keep, inner, place.path))
             for place in layer_places(gm) if len(place.nodes) > 1 and not place.is_block]
    try:
        with torch.enable_grad():
            keeper = _Keeper(gm)
            out = keeper.run(x)
            names = list(keeper.values)
            if not names:
                return {}
            paths = list(inner)
            grads = torch.autograd.grad(loss_fn(out, target), [keeper.values[n] for n in names]
                                        + [inner[p] for p in paths], allow_unused=True)
    finally:
        gm.train(was_training)
        for hook in hooks:
            hook.remove()
    per_value = {}
    for name, grad in zip(names, grads):
        if grad is not None:
            per_value[name] = _rms_norm(grad)
    node_values: dict[str, str] = gm.meta.get("layerlab_nodes", {})
    norms = {node_id: per_value[value] for node_id, value in node_values.items() if value in per_value}
    for path, grad in zip(paths, grads[len(names):]):
        if grad is not None:
            norms[path] = _rms_norm(grad)
    return norms


def _keep(values: dict[str, torch.Tensor], path: str, _module: Any, _args: Any, output: Any) -> None:
    """A forward hook: keep an inner layer's output (a tensor in the graph) under its path."""
    if isinstance(output, torch.Tensor) and output.requires_grad:
        values[path] = output
