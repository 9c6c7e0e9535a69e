"""torchvision datasets as tensors: the class opened for its training or test part, and its images
and labels as whole tensors.

Torch-only (no LayerLab imports): the training_script export embeds this module, so an exported
script reads a torchvision set as the app does (engine.data.files adds the messages and the
resized / grey path).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

TORCHVISION_ROOT = Path.home() / ".cache" / "layerlab" / "torchvision"
"""Where torchvision sets are kept when dataset.path does not say."""


def open_torchvision(cls, root: str, train: bool, download: bool):
    """The training or test part of a torchvision dataset class (`train=` or `split=`)."""
    try:
        return cls(root, train=train, download=download)
    except TypeError:
        return cls(root, split="train" if train else "test", download=download)


def dataset_labels(data):
    """The labels a torchvision dataset keeps (`targets` or `labels`), or None."""
    labels = getattr(data, "targets", None)
    return getattr(data, "labels", None) if labels is None else labels


def image_tensors(data) -> tuple[torch.Tensor, torch.Tensor] | None:
    """(images [N, C, H, W] as stored, int64 labels) from a torchvision dataset's arrays, or None
    when it keeps none (its samples must then be read one by one)."""
    raw, labels = getattr(data, "data", None), dataset_labels(data)
    if raw is None or labels is None:
        return None
    x = torch.as_tensor(np.asarray(raw))
    if x.ndim == 3:
        x = x.unsqueeze(1)
    elif x.ndim == 4 and x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
        x = x.permute(0, 3, 1, 2).contiguous()
    return x, torch.as_tensor(np.asarray(labels), dtype=torch.long)
