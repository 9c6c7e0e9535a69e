"""RawData: what a source hands over before splitting and normalization."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch.utils.data import Dataset as TorchDataset


@dataclass
class RawData:
    """Samples as loaded. `kind` drives `normalize: auto`: image (8-bit or [0, 1] pixels), table
    (standardized), points or bits (left as they are).

    In-memory sources fill `x` (and `y`, None for unlabeled data); streamed sources (image
    folders) fill `stream`, a torch Dataset of (image, label) pairs read from disk on demand.
    """

    kind: str
    x: torch.Tensor | None = None
    y: torch.Tensor | None = None
    x_test: torch.Tensor | None = None
    y_test: torch.Tensor | None = None
    stream: TorchDataset | None = None
    stream_test: TorchDataset | None = None
    sample_shape: tuple[int, ...] = ()
    class_names: list[str] | None = None
    notes: list[str] = field(default_factory=list)
    feature_names: list[str] | None = None  # tables: the name of each feature column
    target_name: str | None = None  # tables: the label or target column

    @property
    def has_test(self) -> bool:
        return self.x_test is not None or self.stream_test is not None
