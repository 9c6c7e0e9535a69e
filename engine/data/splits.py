"""Train / validation / test splits of in-memory samples and their normalization.

Torch-only (no LayerLab imports): the training_script export embeds this module, so an exported
script splits and normalizes exactly as the app does (engine.data.dataset wraps it with the
settings and the checks that name them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch.utils.data import Dataset as TorchDataset

AUTO_NORMALIZATION = {"image": "unit", "table": "standardize"}
"""normalize 'auto' by the kind of samples: 8-bit images to [0, 1], tables standardized, the rest
(points, bits) as they are."""


@dataclass
class Split:
    """One split. In memory: `x` (float32) and `y` (int64 labels, float32 targets, or None when the
    target is the input). Streamed: `stream` yields (x, y) pairs."""

    x: torch.Tensor | None = None
    y: torch.Tensor | None = None
    stream: TorchDataset | None = None

    def __len__(self) -> int:
        return len(self.x) if self.x is not None else len(self.stream) if self.stream is not None else 0

    @property
    def in_memory(self) -> bool:
        return self.x is not None


def to_device(split: Split, device: torch.device) -> Split:
    """Move an in-memory split to the device once (evaluation reads it many times); a streamed
    split stays as it is."""
    if split.in_memory:
        split.x = split.x.to(device)
        if split.y is not None:
            split.y = split.y.to(device)
    return split


def split_samples(x: torch.Tensor, y: torch.Tensor | None, x_test: torch.Tensor | None, y_test: torch.Tensor | None,
                  seed: int, test_split: float, validation_split: float, subset: int | None,
                  test_subset: int | None) -> tuple[Split, Split, Split]:
    """(train, validation, test) as LayerLab makes them: without a test set of its own, a
    `test_split` share of the samples (drawn with `seed`) is held out; then one permutation of the
    rest gives the validation share first and the training samples after it, cut to `subset`.
    `y` None: the targets are the inputs (reconstruction). The training split may come out empty."""
    g = torch.Generator().manual_seed(seed)
    xt, yt = x_test, y_test
    if xt is None and test_split > 0:
        order = torch.randperm(len(x), generator=g)
        cut = int(round(len(x) * test_split))
        xt, x = x[order[:cut]], x[order[cut:]]
        if y is not None:
            yt, y = y[order[:cut]], y[order[cut:]]
    order = torch.randperm(len(x), generator=g)
    if subset is not None:
        order = order[:subset]
    cut = int(round(len(order) * validation_split))
    val_idx, train_idx = order[:cut], order[cut:]
    if xt is not None and test_subset is not None:
        xt, yt = xt[:test_subset], None if yt is None else yt[:test_subset]
    pick = lambda t, idx: None if t is None else t[idx]  # noqa: E731
    if xt is None:
        xt, yt = x[:0], None if y is None else y[:0]
    return Split(pick(x, train_idx), pick(y, train_idx)), Split(pick(x, val_idx), pick(y, val_idx)), Split(xt, yt)


def normalization_mode(normalize: str, kind: str) -> str:
    """The normalization a setting means for samples of this kind (image, table, points, bits)."""
    return AUTO_NORMALIZATION.get(kind, "none") if normalize == "auto" else normalize


def normalize_splits(mode: str, train: Split, *others: Split) -> dict[str, Any]:
    """Normalize in-memory splits in place with statistics of `train` (mode unit, channel,
    standardize or none; 'channel' needs images [N, C, H, W]); returns what was done."""
    splits = (train, *others)
    if mode == "standardize":
        x = train.x.float()
        mean, std = x.mean(0), x.std(0).clamp_min(1e-8)
        for split in splits:
            split.x = (split.x.float() - mean) / std
        return {"mode": mode, "mean": mean.flatten().tolist(), "std": std.flatten().tolist()}
    scale = 1 / 255 if mode in ("unit", "channel") and train.x.dtype == torch.uint8 else 1.0
    if mode == "channel":
        x = train.x.float() * scale
        mean = x.mean(dim=(0, 2, 3), keepdim=True)[0]
        std = x.std(dim=(0, 2, 3), keepdim=True)[0].clamp_min(1e-8)
        for split in splits:
            split.x = (split.x.float() * scale - mean) / std
        return {"mode": mode, "scale": scale, "mean": mean.flatten().tolist(), "std": std.flatten().tolist()}
    for split in splits:
        split.x = split.x.float().mul_(scale) if split.x.dtype == torch.uint8 else split.x.float()
    return {"mode": mode, "scale": scale}
