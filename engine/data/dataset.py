"""From settings to ready tensors: subset, train/validation/test splits and normalization."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils.data import Dataset as TorchDataset, Subset

from engine.data.idx import DatasetError
from engine.data.raw import RawData
from engine.data.settings import DatasetSettings
from engine.data.sources import load_raw


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


@dataclass
class Dataset:
    """Prepared data plus what the network must match (`sample_shape`, `num_classes`)."""

    settings: DatasetSettings
    train: Split
    val: Split
    test: Split
    sample_shape: tuple[int, ...]
    num_classes: int | None = None
    class_names: list[str] | None = None
    normalization: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def task(self) -> str:
        return self.settings.task

    @property
    def in_memory(self) -> bool:
        return self.train.in_memory

    def target_shape(self) -> tuple[int, ...] | None:
        """Shape of one target: the input's for reconstruction, None for class labels."""
        if self.task == "reconstruction":
            return self.sample_shape
        if self.task == "regression" and self.train.y is not None:
            return tuple(self.train.y.shape[1:]) or (1,)
        return None

    def describe(self) -> str:
        classes = f", {self.num_classes} classes" if self.num_classes else ""
        return (f"{self.settings.source}: {len(self.train)} train / {len(self.val)} validation / "
                f"{len(self.test)} test samples of shape {list(self.sample_shape)}{classes}")


def load_dataset(settings: DatasetSettings | dict) -> Dataset:
    """Load and prepare a dataset; DatasetError or SettingsError says what is wrong."""
    if isinstance(settings, dict):
        settings = DatasetSettings.from_dict(settings)
    return prepare_dataset(settings, load_raw(settings))


def prepare_dataset(settings: DatasetSettings, raw: RawData) -> Dataset:
    """Split and normalize loaded samples (`raw` is not changed)."""
    if raw.stream is not None:
        return _streamed(settings, raw)
    assert raw.x is not None
    if settings.task == "classification" and raw.y is None:
        raise DatasetError(f"dataset.source '{settings.source}' has no labels; use dataset.task=reconstruction.")
    g = torch.Generator().manual_seed(settings.seed)
    x, y = raw.x, raw.y if settings.task != "reconstruction" else None
    xt, yt = raw.x_test, raw.y_test if settings.task != "reconstruction" else None
    if xt is None and settings.test_split > 0:
        order = torch.randperm(len(x), generator=g)
        cut = int(round(len(x) * settings.test_split))
        xt, x = x[order[:cut]], x[order[cut:]]
        if y is not None:
            yt, y = y[order[:cut]], y[order[cut:]]
    order = torch.randperm(len(x), generator=g)
    if settings.subset is not None:
        order = order[:settings.subset]
    cut = int(round(len(order) * settings.validation_split))
    val_idx, train_idx = order[:cut], order[cut:]
    if len(train_idx) == 0:
        raise DatasetError("No training samples are left after the subset and the splits; raise dataset.subset "
                           "or lower dataset.validation_split.")
    if xt is not None and settings.test_subset is not None:
        xt, yt = xt[:settings.test_subset], None if yt is None else yt[:settings.test_subset]
    pick = lambda t, idx: None if t is None else t[idx]  # noqa: E731
    train = Split(pick(x, train_idx), pick(y, train_idx))
    val = Split(pick(x, val_idx), pick(y, val_idx))
    if xt is None:
        xt, yt = x[:0], None if y is None else y[:0]
    test = Split(xt, yt)
    norm = _normalize(settings, raw, train, val, test)
    names = raw.class_names if settings.task == "classification" else None
    num_classes = len(names) if names else (int(raw.y.max()) + 1 if settings.task == "classification" else None)
    return Dataset(settings, train, val, test, tuple(train.x.shape[1:]), num_classes, names, norm, raw.notes)


def _normalize(settings: DatasetSettings, raw: RawData, *splits: Split) -> dict[str, Any]:
    mode = settings.normalize
    if mode == "auto":
        mode = {"image": "unit", "table": "standardize"}.get(raw.kind, "none")
    train = splits[0]
    if mode == "standardize":
        x = train.x.float()
        mean, std = x.mean(0), x.std(0).clamp_min(1e-8)
        for split in splits:
            split.x = (split.x.float() - mean) / std
        return {"mode": mode, "mean": mean.flatten().tolist(), "std": std.flatten().tolist()}
    scale = 1 / 255 if mode in ("unit", "channel") and train.x.dtype == torch.uint8 else 1.0
    if mode == "channel":
        if train.x.ndim != 4:
            raise DatasetError("dataset.normalize 'channel' is for images (channels, height, width); use "
                               "standardize for these samples.")
        x = train.x.float() * scale
        mean = x.mean(dim=(0, 2, 3), keepdim=True)[0]
        std = x.std(dim=(0, 2, 3), keepdim=True)[0].clamp_min(1e-8)
        for split in splits:
            split.x = (split.x.float() * scale - mean) / std
        return {"mode": mode, "scale": scale, "mean": mean.flatten().tolist(), "std": std.flatten().tolist()}
    for split in splits:
        split.x = split.x.float().mul_(scale) if split.x.dtype == torch.uint8 else split.x.float()
    return {"mode": mode, "scale": scale}


def _streamed(settings: DatasetSettings, raw: RawData) -> Dataset:
    if settings.normalize == "standardize":
        raise DatasetError("Image folders are read from disk batch by batch and support dataset.normalize "
                           "auto, unit or none (pixels in [0, 1]); standardize needs an in-memory source.")
    if settings.task != "classification" and settings.task != "reconstruction":
        raise DatasetError("Image folders have class labels; use dataset.task classification or reconstruction.")
    g = torch.Generator().manual_seed(settings.seed)
    order = torch.randperm(len(raw.stream), generator=g).tolist()
    test_cut = int(round(len(order) * settings.test_split))
    test_idx, rest = order[:test_cut], order[test_cut:]
    if settings.subset is not None:
        rest = rest[:settings.subset]
    if settings.test_subset is not None:
        test_idx = test_idx[:settings.test_subset]
    val_cut = int(round(len(rest) * settings.validation_split))
    parts = [Split(stream=Subset(raw.stream, idx)) for idx in (rest[val_cut:], rest[:val_cut], test_idx)]
    names = raw.class_names if settings.task == "classification" else None
    return Dataset(settings, *parts, sample_shape=raw.sample_shape, num_classes=len(names) if names else None,
                   class_names=names, normalization={"mode": "unit"}, notes=raw.notes)
