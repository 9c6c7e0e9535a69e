"""Probe data for the live views: each layer's activations on fixed samples, gradient flow,
learned filters and weight/gradient histograms. Nothing here runs unless a probe is due, so the
cost with probes off is nil.

Keys of a ProbeRecord: a layer of the top-level network is keyed by its node id (as ever); a layer
inside a block by its module path, as in the state_dict (`stage2.0.conv1`: block `stage2`, its
first repetition, layer `conv1`), listed in `ProbeRecord.inner` with its node-id chain. A top-level
Block node's own key holds its output's activations only: its parameters are reported layer by
layer under the inner paths, so gradient norms, histograms and filters list every layer with
weights at every depth, in the model's order (a block's layers where the block is)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import fx, nn

from engine.blocks.paths import LayerPlace, layer_places
from engine.training.records import ProbeRecord


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


def probe_layers(gm: fx.GraphModule) -> dict[str, LayerPlace]:
    """Probe key -> place of every layer with a module, at every depth, in the model's order: a
    top-level layer (a Block node included) under its node id, a layer inside a block under its
    path. Blocks nested in blocks are left out (their layers are listed)."""
    found: dict[str, LayerPlace] = {}
    for place in layer_places(gm):
        if len(place.nodes) == 1:
            found[place.nodes[0]] = place
        elif not place.is_block:
            found[place.path] = place
    return found


class ProbeCollector:
    """Collects one ProbeRecord from the model's current weights and last gradients."""

    def __init__(self, gm: fx.GraphModule, probe_x: torch.Tensor, probe_y: torch.Tensor | None, bins: int) -> None:
        self.gm, self.x, self.y, self.bins = gm, probe_x, probe_y, bins
        self.nodes: dict[str, str] = dict(gm.meta.get("layerlab_nodes", {}))
        places = probe_layers(gm)
        self.inner = {key: place.nodes for key, place in places.items() if len(place.nodes) > 1}
        self.layers: dict[str, list[tuple[str, nn.Parameter]]] = {}
        for key, place in places.items():
            if place.is_block:
                continue  # its parameters are its inner layers'
            params = [(n, p) for n, p in gm.get_submodule(place.path).named_parameters() if p.requires_grad]
            if params:
                self.layers[key] = params
        self.filter_layers = self._filter_layers({k: p.path for k, p in places.items() if not p.is_block})

    def _filter_layers(self, modules: dict[str, str]) -> list[str]:
        chosen, dense_seen = [], False
        for key, path in modules.items():
            module = self.gm.get_submodule(path)
            if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
                chosen.append(key)
            elif isinstance(module, nn.Linear) and not dense_seen:
                chosen.append(key)
                dense_seen = True
        return chosen

    def collect(self, step: int, epoch: int) -> ProbeRecord:
        with one_thread(), torch.no_grad():
            return self._collect(step, epoch)

    def _run(self) -> tuple[torch.Tensor, dict[str, np.ndarray]]:
        """The model's output on the probe samples and every layer's activations (inner ones caught
        by forward hooks on their modules while the top level runs node by node)."""
        inner_values: dict[str, torch.Tensor] = {}

        def keep(path: str):
            def hook(_module: nn.Module, _args: Any, result: Any) -> None:
                value = result[0] if isinstance(result, tuple) and result else result
                if isinstance(value, torch.Tensor):
                    inner_values[path] = value
            return hook

        handles = [self.gm.get_submodule(path).register_forward_hook(keep(path)) for path in self.inner]
        was_training = self.gm.training
        self.gm.eval()
        try:
            recorder = _Recorder(self.gm, set(self.nodes.values()))
            output = recorder.run(self.x)
        finally:
            self.gm.train(was_training)
            for handle in handles:
                handle.remove()
        top = {nid: recorder.values[name] for nid, name in self.nodes.items() if name in recorder.values}
        ordered: dict[str, np.ndarray] = {}
        for nid, value in top.items():  # each block's inner layers right after the block
            ordered[nid] = _numpy(value)
            ordered.update((p, _numpy(inner_values[p])) for p, chain in self.inner.items()
                           if chain[0] == nid and p in inner_values)
        return output, ordered

    def _collect(self, step: int, epoch: int) -> ProbeRecord:
        output, activations = self._run()
        grad_norm, grad_mean, weight_hist, grad_hist = {}, {}, {}, {}
        for key, params in self.layers.items():
            grads = [p.grad for _, p in params if p.grad is not None]
            weight = params[0][1]
            weight_hist[key] = _histogram(weight, self.bins)
            if grads:
                norms = torch._foreach_norm(grads)
                grad_norm[key] = float(torch.linalg.vector_norm(torch.stack(norms)).item())
                total = sum(g.abs().sum() for g in grads)
                grad_mean[key] = float(total.item()) / sum(g.numel() for g in grads)
                grad_hist[key] = _histogram(grads[0], self.bins)
        weights = {key: _numpy(self.layers[key][0][1]) for key in self.filter_layers if key in self.layers}
        return ProbeRecord(step, epoch, _numpy(self.x), None if self.y is None else _numpy(self.y),
                           _numpy(output), activations, grad_norm, grad_mean, weights, weight_hist, grad_hist,
                           dict(self.inner))


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
