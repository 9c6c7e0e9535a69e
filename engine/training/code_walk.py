"""Autoencoder walks: find the code layer of a reconstruction model (the narrowest bottleneck that
is neither the input nor the output), and decode evenly spaced blends of the codes of every pair of
probe samples. Runs on the training thread while the trainer waits (a pause, the end of a run)."""

from __future__ import annotations

import numpy as np
import torch
from torch import fx

from engine.graph import Network
from engine.shapes import infer_shapes
from engine.submodels import SplitError, split_at

STEPS = 21  # t = 0, 0.05, ..., 1
ENDS = ("input", "output")  # roles a code layer cannot have


def _try_split(model: fx.GraphModule, value: str):
    try:
        return split_at(model, value)
    except SplitError:
        return None


def find_code_split(network: Network, model: fx.GraphModule):
    """(encoder, decoder) cut at the layer with the fewest activations that can be cut, or None."""
    analysis = infer_shapes(network)
    values = model.meta.get("layerlab_nodes", {})
    candidates = sorted((info.activations, node_id) for node_id, info in analysis.nodes.items()
                        if network.spec(node_id).role not in ENDS and node_id in values)
    return next((parts for _, node_id in candidates for parts in [_try_split(model, values[node_id])] if parts),
                None)


class CodeWalker:
    """`walks(inputs)` -> {(a, b): decoded [STEPS, ...]} for a < b, or None when the network has no
    bottleneck to cut at. The cut is found once, at the first walk."""

    def __init__(self, network: Network, model: fx.GraphModule, device: torch.device | str = "cpu") -> None:
        self.network, self.model, self.device = network, model, torch.device(device)
        self._split = None
        self._tried = False

    def split(self):
        if not self._tried:
            self._tried = True
            self._split = find_code_split(self.network, self.model)
        return self._split

    def walks(self, inputs: np.ndarray | None, steps: int = STEPS) -> dict[tuple[int, int], np.ndarray] | None:
        split = self.split()
        if split is None or inputs is None or len(inputs) < 2:
            return None
        encoder, decoder = split
        model = self.model
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                codes = encoder(torch.from_numpy(np.asarray(inputs, np.float32)).to(self.device)).float()
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
