"""Gradient check: autograd gradients against central differences, in float64, per parameter tensor."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from engine.compiler import compile_network
from engine.data.bind import bind_input_shape
from engine.data.dataset import load_dataset
from engine.data.settings import DatasetSettings
from engine.project import Project
from engine.training.losses import make_loss
from engine.training.setup import check_network


@dataclass(frozen=True)
class TensorCheck:
    name: str
    shape: tuple[int, ...]
    entries: int
    max_relative_error: float
    max_abs_error: float
    noise: float


def relative_error(a: torch.Tensor, b: torch.Tensor, noise: float, tolerance: float) -> torch.Tensor:
    """|a - b| / max(|a|, |b|, noise / tolerance): an entry whose difference is within the
    finite-difference noise never counts as above the tolerance."""
    return (a - b).abs() / torch.maximum(a.abs(), b.abs()).clamp_min(noise / tolerance)


def gradient_check(project: Project, *, batch: int = 4, eps: float = 1e-6, entries: int = 20,
                   seed: int = 0, tolerance: float = 1e-5,
                   model: nn.Module | None = None) -> list[TensorCheck]:
    """Check up to `entries` randomly chosen entries of every parameter tensor on `batch` samples.
    Dropout is switched off (eval mode); batch norm uses batch statistics (train mode). `model`
    replaces the compiled network (to check a hand-modified module).

    Central differences cannot resolve differences below the rounding noise of the loss, about
    `100 * float64 eps * |loss| / (2 * eps)`; entries that agree within it count as exact."""
    check_network(project.network)
    data_settings = DatasetSettings.from_dict({**project.dataset, "subset": max(batch, 1), "test_subset": 1,
                                               "augment": {}})
    data = load_dataset(data_settings)
    network = project.network.copy()
    bind_input_shape(network, data.sample_shape)
    torch.manual_seed(seed)
    model = (model if model is not None else compile_network(network)).double()
    model.train()
    for module in model.modules():
        if isinstance(module, nn.Dropout | nn.Dropout2d):
            module.eval()
    x = data.train.x[:batch].double()
    target = x if data.task == "reconstruction" else data.train.y[:batch]
    if target.is_floating_point():
        target = target.double()
    (output_id,) = network.nodes_with_role("output")
    params = network.node(output_id).params
    loss_fn = make_loss(params["loss"], params["label_smoothing"], data.task, data.num_classes)
    norms_frozen = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for m in norms_frozen:
        m.momentum = 0.0  # keep running statistics fixed while the loss is evaluated many times

    def loss_value() -> torch.Tensor:
        return loss_fn(model(x), target)

    model.zero_grad()
    base = loss_value()
    base.backward()
    noise = 100 * torch.finfo(torch.float64).eps * max(abs(base.item()), 1e-3) / (2 * eps)
    g = torch.Generator().manual_seed(seed)
    results = []
    with torch.no_grad():
        for name, param in model.named_parameters():
            analytic = param.grad.detach().flatten().clone()
            flat = param.data.view(-1)
            picks = torch.randperm(flat.numel(), generator=g)[:entries]
            numeric = torch.empty(len(picks), dtype=torch.float64)
            for k, index in enumerate(picks.tolist()):
                original = flat[index].item()
                flat[index] = original + eps
                plus = loss_value().item()
                flat[index] = original - eps
                minus = loss_value().item()
                flat[index] = original
                numeric[k] = (plus - minus) / (2 * eps)
            chosen = analytic[picks]
            rel = relative_error(chosen, numeric, noise, tolerance)
            results.append(TensorCheck(name, tuple(param.shape), len(picks), float(rel.max()),
                                       float((chosen - numeric).abs().max()), noise))
    return results
