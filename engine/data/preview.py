"""What a person sees of some data before training: its size, classes and their counts, the
splits, and a few samples (pictures for images, the first rows for tables, the points of 2-D
sets). One load of the source; the preparation (splits, normalization) is tried on a small part so
that its problems show here too, before Train.

    preview = preview_dataset(settings)     # DatasetError or SettingsError say what is wrong
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from engine.data.dataset import prepare_dataset
from engine.data.errors import DatasetError
from engine.data.fit import DataFacts, data_name
from engine.data.raw import RawData
from engine.data.settings import DatasetSettings
from engine.data.sources import load_raw

IMAGES = 16  # pictures in the preview grid
ROWS = 5  # table rows in the preview
POINTS = 600  # points drawn for 2-D data


@dataclass
class DataPreview:
    settings: DatasetSettings
    name: str
    kind: str  # image, table, points, bits
    sample_shape: tuple[int, ...]
    samples: int  # every sample the source has (training and test)
    splits: tuple[int, int, int]  # train, validation, test, as training will use them
    num_classes: int | None = None
    class_names: list[str] | None = None
    class_counts: list[int] | None = None  # samples per class, over every labeled sample
    target_shape: tuple[int, ...] | None = None
    images: np.ndarray | None = None  # [n, channels, height, width], values in [0, 1]
    image_labels: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # tables: feature columns, then the label column
    rows: list[list[str]] = field(default_factory=list)
    points: np.ndarray | None = None  # 2-D samples [n, 2] (at most POINTS)
    point_labels: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def task(self) -> str:
        return self.settings.task

    @property
    def facts(self) -> DataFacts:
        return DataFacts.of(self, self.name)

    def summary(self) -> str:
        """'iris.csv: 150 samples of 4 features in 3 classes (96 train · 24 validation · 30 test)'."""
        shape = self.sample_shape
        what = (f"{shape[0]} feature{'s' if shape[0] != 1 else ''}" if len(shape) == 1 else
                "×".join(str(v) for v in shape))
        classes = f" in {self.num_classes} classes" if self.num_classes else ""
        train, val, test = self.splits
        parts = [f"{train:,} train"] + ([f"{val:,} validation"] if val else []) + ([f"{test:,} test"] if test else [])
        return f"{self.name}: {self.samples:,} samples of {what}{classes} ({' · '.join(parts)})"


def preview_dataset(settings: DatasetSettings | dict) -> DataPreview:
    if isinstance(settings, dict):
        settings = DatasetSettings.from_dict(settings)
    raw = load_raw(settings)
    small = settings.with_changes(subset=min(64, settings.subset or 64), test_subset=16, augment={})
    prepared = prepare_dataset(small, raw)  # the preparation's own problems, now
    total = _sizes(raw)
    preview = DataPreview(settings, data_name(settings), raw.kind, tuple(prepared.sample_shape), total,
                          _splits(settings, raw), prepared.num_classes, prepared.class_names,
                          target_shape=prepared.target_shape(), notes=list(raw.notes))
    labels = _all_labels(raw) if settings.task == "classification" else None
    if labels is not None and preview.num_classes:
        preview.class_counts = np.bincount(labels, minlength=preview.num_classes).tolist()
    if raw.kind == "image" or len(preview.sample_shape) == 3:
        preview.images, preview.image_labels = _images(raw, preview.class_names)
    elif len(preview.sample_shape) == 1 and raw.x is not None:
        preview.columns, preview.rows = _rows(raw, settings, preview.class_names)
        if preview.sample_shape == (2,):
            pick = np.linspace(0, len(raw.x) - 1, min(POINTS, len(raw.x))).astype(int)
            preview.points = raw.x[pick].float().numpy()
            if raw.y is not None and settings.task == "classification":
                preview.point_labels = raw.y[pick].numpy()
    return preview


def _sizes(raw: RawData) -> int:
    if raw.stream is not None:
        return len(raw.stream)
    assert raw.x is not None
    return len(raw.x) + (len(raw.x_test) if raw.x_test is not None else 0)


def _splits(settings: DatasetSettings, raw: RawData) -> tuple[int, int, int]:
    """The split sizes load_dataset makes (the same arithmetic)."""
    if raw.stream is not None:
        count = len(raw.stream)
        test = int(round(count * settings.test_split))
        rest = count - test
    else:
        count = len(raw.x)
        if raw.x_test is not None:
            test, rest = len(raw.x_test), count
        elif settings.test_split > 0:
            test = int(round(count * settings.test_split))
            rest = count - test
        else:
            test, rest = 0, count
    if settings.subset is not None:
        rest = min(rest, settings.subset)
    if settings.test_subset is not None:
        test = min(test, settings.test_subset)
    val = int(round(rest * settings.validation_split))
    return rest - val, val, test


def _all_labels(raw: RawData) -> np.ndarray | None:
    if raw.stream is not None:
        targets = getattr(raw.stream, "targets", None)
        return None if targets is None else np.asarray(targets, dtype=np.int64)
    if raw.y is None or raw.y.ndim != 1:
        return None
    parts = [raw.y] + ([raw.y_test] if raw.y_test is not None and raw.y_test.ndim == 1 else [])
    return torch.cat(parts).numpy().astype(np.int64)


def _images(raw: RawData, names: list[str] | None) -> tuple[np.ndarray | None, list[str]]:
    """Up to IMAGES samples spread over the set (folders are sorted by class), in [0, 1]."""
    count = len(raw.stream) if raw.stream is not None else len(raw.x)
    if count == 0:
        return None, []
    pick = np.unique(np.linspace(0, count - 1, min(IMAGES, count)).astype(int))
    if raw.stream is not None:
        pairs = [raw.stream[int(i)] for i in pick]
        images = torch.stack([torch.as_tensor(p[0]) for p in pairs]).float()
        labels = [int(p[1]) for p in pairs]
    else:
        images = raw.x[torch.as_tensor(pick)].float()
        labels = raw.y[torch.as_tensor(pick)].tolist() if raw.y is not None and raw.y.ndim == 1 else []
        if raw.x.dtype == torch.uint8:
            images = images / 255
    if images.ndim != 4:
        return None, []
    low, high = float(images.min()), float(images.max())
    if low < 0 or high > 1:  # not pixels in [0, 1]: stretch for the eye
        images = (images - low) / max(high - low, 1e-12)
    tags = [names[v] if names and 0 <= v < len(names) else str(v) for v in labels]
    return images.numpy(), tags


def _rows(raw: RawData, settings: DatasetSettings, names: list[str] | None) -> tuple[list[str], list[list[str]]]:
    features = raw.feature_names or [f"x{i + 1}" for i in range(raw.x.shape[1])]
    target = raw.target_name or ("label" if settings.task == "classification" else "target")
    has_target = raw.y is not None and settings.task != "reconstruction"
    columns = list(features) + ([target] if has_target else [])
    rows = []
    for i in range(min(ROWS, len(raw.x))):
        row = [f"{float(v):.4g}" for v in raw.x[i].tolist()]
        if has_target:
            value = raw.y[i]
            if settings.task == "classification":
                row.append(names[int(value)] if names else str(int(value)))
            else:
                row.append(", ".join(f"{float(v):.4g}" for v in value.flatten().tolist()))
        rows.append(row)
    return columns, rows


__all__ = ["DataPreview", "DatasetError", "preview_dataset"]
