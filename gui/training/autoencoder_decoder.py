"""Autoencoder walks: find the code layer of a reconstruction model (the narrowest bottleneck),
and decode evenly spaced blends of the codes of every pair of probe samples. Runs on the compute
thread while the trainer waits (a pause, the end of a run), so the view's slider only picks a
ready frame."""

from __future__ import annotations

import numpy as np
import torch

from engine.shapes import infer_shapes
from engine.submodels import SplitError, split_at
from engine.training.trainer import Trainer

STEPS = 21  # t = 0, 0.05, ..., 1


def _try_split(model, value: str):
    try:
        return split_at(model, value)
    except SplitError:
        return None


class CodeWalker:
    """`walks(inputs)` -> {(a, b): decoded [STEPS, ...]} for a < b, or None when the run is no
    reconstruction or the network has no bottleneck to cut at."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self._split = None
        self._tried = False

    def _find_split(self):
        if self._tried:
            return self._split
        self._tried = True
        prepared, model = self.trainer.prepared, self.trainer.model
        if prepared is None or model is None or prepared.dataset.task != "reconstruction":
            return None
        network = prepared.network
        analysis = infer_shapes(network)
        values = model.meta.get("layerlab_nodes", {})
        candidates = sorted((info.activations, node_id) for node_id, info in analysis.nodes.items()
                            if network.spec(node_id).type_id not in ("Input", "Output") and node_id in values)
        self._split = next((parts for _, node_id in candidates for parts in [_try_split(model, values[node_id])]
                            if parts), None)
        return self._split

    def walks(self, inputs: np.ndarray, steps: int = STEPS) -> dict[tuple[int, int], np.ndarray] | None:
        split = self._find_split()
        if split is None or inputs is None or len(inputs) < 2:
            return None
        encoder, decoder = split
        model, device = self.trainer.model, self.trainer.prepared.device
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                codes = encoder(torch.from_numpy(np.asarray(inputs, np.float32)).to(device)).float()
                count = len(codes)
                pairs = [(a, b) for a in range(count) for b in range(a + 1, count)]
                t = torch.linspace(0, 1, steps, device=codes.device).view(1, steps, *([1] * (codes.dim() - 1)))
                first = codes[[a for a, _ in pairs]].unsqueeze(1)
                last = codes[[b for _, b in pairs]].unsqueeze(1)
                blended = ((1 - t) * first + t * last).reshape(len(pairs) * steps, *codes.shape[1:])
                decoded = decoder(blended).float().cpu().numpy()
        finally:
            model.train(was_training)
        decoded = decoded.reshape(len(pairs), steps, *decoded.shape[1:])
        return {pair: decoded[i] for i, pair in enumerate(pairs)}
