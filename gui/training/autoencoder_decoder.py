"""After an autoencoder run: find its code layer (the narrowest bottleneck) and offer a decoder
for interpolating between two samples' codes."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from engine.shapes import infer_shapes
from engine.submodels import SplitError, split_at
from engine.training.trainer import Trainer


def code_decoder(trainer: Trainer) -> tuple[np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray]] | None:
    """(code of sample A, code of sample B, decode) for a reconstruction run, else None.
    Call it, and `decode`, on the compute thread (torch work stays off the GUI thread)."""
    prepared, model = trainer.prepared, trainer.model
    if prepared is None or model is None or prepared.dataset.task != "reconstruction":
        return None
    network = prepared.network
    analysis = infer_shapes(network)
    values = model.meta.get("layerlab_nodes", {})
    candidates = sorted((info.activations, node_id) for node_id, info in analysis.nodes.items()
                        if network.spec(node_id).type_id not in ("Input", "Output") and node_id in values)
    split = next((parts for _, node_id in candidates for parts in [_try_split(model, values[node_id])] if parts), None)
    if split is None:
        return None
    encoder, decoder = split
    source = prepared.dataset.val if len(prepared.dataset.val) else prepared.dataset.train
    if not source.in_memory or len(source) < 2:
        return None
    device = prepared.device
    model.eval()
    with torch.no_grad():
        codes = encoder(source.x[:2].to(device)).float().cpu().numpy()

    def decode(code: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return decoder(torch.from_numpy(code.astype(np.float32)).to(device)).float().cpu().numpy()

    return codes[0], codes[1], decode


def _try_split(model, value: str):
    try:
        return split_at(model, value)
    except SplitError:
        return None
