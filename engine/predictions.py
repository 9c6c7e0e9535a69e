"""Predictions of a trained model on one split, for confusion matrices and sample browsers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from engine.data.dataset import Dataset


@dataclass(frozen=True)
class SplitPredictions:
    split: str
    labels: np.ndarray
    predictions: np.ndarray
    images: np.ndarray
    class_names: list[str]


def predict_split(model: nn.Module, dataset: Dataset, split: str = "test", limit: int = 10_000,
                  batch: int = 1000) -> SplitPredictions | None:
    """Class predictions on an in-memory split (None for streamed data or non-classification)."""
    part = {"train": dataset.train, "val": dataset.val, "test": dataset.test}[split]
    if dataset.task != "classification" or not part.in_memory or len(part) == 0:
        return None
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    x, y = part.x[:limit], part.y[:limit]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            scores = [model(x[i:i + batch].to(device)).float().cpu() for i in range(0, len(x), batch)]
    finally:
        model.train(was_training)
    logits = torch.cat(scores)
    predicted = logits.argmax(dim=1) if logits.shape[1] > 1 else (logits[:, 0] > 0).long()
    count = dataset.num_classes or int(max(y.max(), predicted.max()) + 1)
    names = dataset.class_names or [str(i) for i in range(count)]
    return SplitPredictions(split, y.cpu().numpy(), predicted.numpy(), x.cpu().numpy(), names)
