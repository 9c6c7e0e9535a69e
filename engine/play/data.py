"""The project's dataset as Play needs it: the normalization statistics training used and the
test split, loaded once per dataset settings; samples normalized and back."""

from __future__ import annotations

import json
import threading
from dataclasses import replace

import torch

from engine.data.dataset import Dataset, Split, load_dataset
from engine.data.settings import DatasetSettings
from engine.errors import LayerLabError
from engine.project import Project


class PlayInputError(LayerLabError):
    """An input the Play panel cannot use (an unreadable file, channels that do not map)."""


# -- the dataset, loaded once per dataset settings ---------------------------------------------
_cache: dict[str, Dataset] = {}
_lock = threading.Lock()
KEEP = 2  # datasets kept (their test split and statistics only)


def _key(project: Project) -> str:
    return json.dumps(project.dataset, sort_keys=True, default=str)


def _slim(dataset: Dataset) -> Dataset:
    """What Play needs of a dataset: its statistics and test split (on the CPU); the training and
    validation samples (MNIST: 190 MB) are dropped."""
    _pixel_range(dataset)  # needs the training samples: worked out now

    def empty(split: Split) -> Split:
        return Split(split.x[:0].cpu(), None if split.y is None else split.y[:0].cpu()) if split.in_memory else split

    test = dataset.test
    test = Split(test.x.cpu(), None if test.y is None else test.y.cpu()) if test.in_memory else test
    slim = replace(dataset, train=empty(dataset.train), val=empty(dataset.val), test=test)
    slim._play_pixel_range = dataset._play_pixel_range
    return slim


def _keep(key: str, dataset: Dataset) -> Dataset:
    _cache.pop(key, None)
    while len(_cache) >= KEEP:
        _cache.pop(next(iter(_cache)))
    _cache[key] = _slim(dataset)
    return _cache[key]


def remember_dataset(project: Project, dataset: Dataset) -> None:
    """Use `dataset` (already loaded for these settings, e.g. the trainer's) instead of loading it again."""
    with _lock:
        _keep(_key(project), dataset)


def project_dataset(project: Project) -> Dataset:
    """The project's dataset as training prepares it (normalization statistics, test split; the
    training samples left out), loaded once per dataset settings and kept (the last two). The
    first call loads it (MNIST: seconds)."""
    if not project.dataset:
        raise PlayInputError("The project has no dataset chosen: choose one in the Data tab to get test samples.")
    key = _key(project)
    with _lock:
        if key not in _cache:
            _keep(key, load_dataset(DatasetSettings.from_dict(project.dataset)))
        return _cache[key]


def input_shape(project: Project) -> tuple[int, ...]:
    """The shape of one sample at the project's Input node."""
    (input_id,) = project.network.nodes_with_role("input")
    return tuple(int(n) for n in project.network.node(input_id).params["shape"])


def _pixel_range(dataset: Dataset) -> float:
    """255 where the network was trained on raw 8-bit pixels (normalize 'none' on images), else 1."""
    cached = getattr(dataset, "_play_pixel_range", None)
    if cached is None:
        x = dataset.train.x
        raw = dataset.normalization.get("mode") == "none" and x is not None and x.dim() == 4
        cached = 255.0 if raw and float(x.max()) > 1.5 else 1.0
        dataset._play_pixel_range = cached
    return cached


def normalize(x: torch.Tensor, dataset: Dataset) -> torch.Tensor:
    """Samples in display range (0..1 pixels) -> what the network saw in training."""
    norm, mode = dataset.normalization, dataset.normalization.get("mode", "none")
    if mode == "channel":
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return (x - torch.tensor(norm["mean"]).view(shape)) / torch.tensor(norm["std"]).view(shape)
    if mode == "standardize":
        flat = x.reshape(len(x), -1)
        return ((flat - torch.tensor(norm["mean"])) / torch.tensor(norm["std"])).reshape(x.shape)
    return x * _pixel_range(dataset)


def denormalize(x: torch.Tensor, dataset: Dataset) -> torch.Tensor:
    """The inverse of `normalize`: what the network saw -> display range."""
    norm, mode = dataset.normalization, dataset.normalization.get("mode", "none")
    if mode == "channel":
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return x * torch.tensor(norm["std"]).view(shape) + torch.tensor(norm["mean"]).view(shape)
    if mode == "standardize":
        flat = x.reshape(len(x), -1)
        return (flat * torch.tensor(norm["std"]) + torch.tensor(norm["mean"])).reshape(x.shape)
    return x / _pixel_range(dataset)
