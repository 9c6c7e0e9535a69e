"""Probe data for the live views: each layer's activations on fixed samples, gradient flow,
learned filters and weight/gradient histograms. Nothing here runs unless a probe is due, so the
cost with probes off is nil."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import fx, nn

from engine.training.records import ProbeRecord


def layer_modules(gm: fx.GraphModule) -> dict[str, str]:
    """Node id -> submodule path for every layer with its own module (via gm.meta["layerlab_nodes"]).
    The Output node shares its value with the last layer and is left out."""
    by_name = {node.name: node for node in gm.graph.nodes}
    found: dict[str, str] = {}
    claimed: set[str] = set()
    for node_id, value in gm.meta.get("layerlab_nodes", {}).items():
        node = by_name.get(value)
        if node is not None and node.op == "call_function" and node.args and isinstance(node.args[0], fx.Node):
            node = node.args[0]
        if node is not None and node.op == "call_module" and str(node.target) not in claimed:
            found[node_id] = str(node.target)
            claimed.add(str(node.target))
    return found


@contextmanager
def one_thread() -> Iterator[None]:
    """Run a few tiny ops (8 probe samples) on one CPU thread. Split over the training's OpenMP
    threads each op waits for a partner thread; on a busy machine (other processes on the cores)
    that wait made a LeNet-5 probe take 180 ms instead of 3 ms."""
    threads = torch.get_num_threads()
    if threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


class _Recorder(fx.Interpreter):
    """Runs the GraphModule node by node and keeps the values asked for."""

    def __init__(self, gm: fx.GraphModule, wanted: set[str]) -> None:
        super().__init__(gm)
        self.wanted, self.values = wanted, {}

    def run_node(self, n: fx.Node) -> Any:
        result = super().run_node(n)
        if n.name in self.wanted and isinstance(result, torch.Tensor):
            self.values[n.name] = result
        return result


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().float().cpu().numpy()


def _histogram(t: torch.Tensor, bins: int) -> tuple[np.ndarray, np.ndarray]:
    t = t.detach().float().flatten()
    low, high = (t.min().item(), t.max().item()) if t.numel() else (0.0, 0.0)
    if low == high:
        low, high = low - 0.5, high + 0.5
    counts = torch.histc(t, bins=bins, min=low, max=high)
    return _numpy(counts), np.linspace(low, high, bins + 1, dtype=np.float32)


class ProbeCollector:
    """Collects one ProbeRecord from the model's current weights and last gradients."""

    def __init__(self, gm: fx.GraphModule, probe_x: torch.Tensor, probe_y: torch.Tensor | None, bins: int) -> None:
        self.gm, self.x, self.y, self.bins = gm, probe_x, probe_y, bins
        self.nodes: dict[str, str] = dict(gm.meta.get("layerlab_nodes", {}))
        modules = layer_modules(gm)
        self.layers: dict[str, list[tuple[str, nn.Parameter]]] = {}
        for node_id, path in modules.items():
            params = [(n, p) for n, p in gm.get_submodule(path).named_parameters() if p.requires_grad]
            if params:
                self.layers[node_id] = params
        self.filter_layers = self._filter_layers(modules)

    def _filter_layers(self, modules: dict[str, str]) -> list[str]:
        chosen, dense_seen = [], False
        for node_id, path in modules.items():
            module = self.gm.get_submodule(path)
            if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
                chosen.append(node_id)
            elif isinstance(module, nn.Linear) and not dense_seen:
                chosen.append(node_id)
                dense_seen = True
        return chosen

    def collect(self, step: int, epoch: int) -> ProbeRecord:
        with one_thread(), torch.no_grad():
            return self._collect(step, epoch)

    def _collect(self, step: int, epoch: int) -> ProbeRecord:
        was_training = self.gm.training
        self.gm.eval()
        try:
            recorder = _Recorder(self.gm, set(self.nodes.values()))
            output = recorder.run(self.x)
        finally:
            self.gm.train(was_training)
        activations = {nid: _numpy(recorder.values[name]) for nid, name in self.nodes.items()
                       if name in recorder.values}
        grad_norm, grad_mean, weight_hist, grad_hist = {}, {}, {}, {}
        for node_id, params in self.layers.items():
            grads = [p.grad for _, p in params if p.grad is not None]
            weight = params[0][1]
            weight_hist[node_id] = _histogram(weight, self.bins)
            if grads:
                norms = torch._foreach_norm(grads)
                grad_norm[node_id] = float(torch.linalg.vector_norm(torch.stack(norms)).item())
                total = sum(g.abs().sum() for g in grads)
                grad_mean[node_id] = float(total.item()) / sum(g.numel() for g in grads)
                grad_hist[node_id] = _histogram(grads[0], self.bins)
        weights = {nid: _numpy(self.layers[nid][0][1]) for nid in self.filter_layers if nid in self.layers}
        return ProbeRecord(step, epoch, _numpy(self.x), None if self.y is None else _numpy(self.y),
                           _numpy(output), activations, grad_norm, grad_mean, weights, weight_hist, grad_hist)


def probe_batch(dataset, count: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The fixed probe samples: the first `count` of the validation split (in memory), else of the
    training split, on `device` (the trainer's choice, for probes taken outside the trainer)."""
    source = dataset.val if len(dataset.val) and dataset.val.in_memory else dataset.train
    if source.in_memory:
        x = source.x[:count].to(device)
        y = None if source.y is None else source.y[:count].to(device)
    else:
        pairs = [source.stream[i] for i in range(min(count, len(source)))]
        x = torch.stack([a for a, _ in pairs]).to(device)
        y = torch.tensor([b for _, b in pairs], device=device)
    return x, y
