"""From settings to ready tensors: subset, train/validation/test splits and normalization (the
torch-only core is engine.data.splits, shared with the training_script export)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils.data import Subset

from engine.data.augment import AugmentError, augmentation
from engine.data.errors import DatasetError
from engine.data.raw import RawData
from engine.data.settings import AugmentSettings, DatasetSettings
from engine.data.sources import load_raw
from engine.data.splits import Split, normalization_mode, normalize_splits, split_samples

__all__ = ["Dataset", "DatasetError", "Split", "build_augmentation", "load_dataset", "prepare_dataset"]


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
    reconstruction = settings.task == "reconstruction"
    train, val, test = split_samples(raw.x, None if reconstruction else raw.y, raw.x_test,
                                     None if reconstruction else raw.y_test, settings.seed, settings.test_split,
                                     settings.validation_split, settings.subset, settings.test_subset)
    if len(train) == 0:
        raise DatasetError("No training samples are left after the subset and the splits; raise dataset.subset "
                           "or lower dataset.validation_split.")
    norm = _normalize(settings, raw, train, val, test)
    names = raw.class_names if settings.task == "classification" else None
    num_classes = len(names) if names else (int(raw.y.max()) + 1 if settings.task == "classification" else None)
    return Dataset(settings, train, val, test, tuple(train.x.shape[1:]), num_classes, names, norm, raw.notes)


def _normalize(settings: DatasetSettings, raw: RawData, *splits: Split) -> dict[str, Any]:
    mode = normalization_mode(settings.normalize, raw.kind)
    if mode == "channel" and splits[0].x.ndim != 4:
        raise DatasetError("dataset.normalize 'channel' is for images (channels, height, width); use "
                           "standardize for these samples.")
    return normalize_splits(mode, *splits)


def build_augmentation(settings: AugmentSettings, sample_shape: tuple[int, ...]):
    """engine.data.augment.augmentation for the settings: a v2.Compose for one image tensor
    (C, H, W), or None when every augmentation is off; DatasetError when it cannot apply."""
    try:
        return augmentation(settings, sample_shape)
    except AugmentError as error:
        raise DatasetError(str(error)) from None


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
