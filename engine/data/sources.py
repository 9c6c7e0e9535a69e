"""The dataset sources LayerLab knows, each a loader from settings to RawData."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import torch

from engine import resources
from engine.data import files, synthetic
from engine.data.errors import DatasetError
from engine.data.idx import IdxError, read_mnist
from engine.data.raw import RawData
from engine.data.settings import DatasetSettings

MNIST_DIR = resources.mnist_dir()


@dataclass(frozen=True)
class Source:
    name: str
    description: str
    in_memory: bool
    keys: str
    load: Callable[[DatasetSettings], RawData]


@lru_cache(maxsize=2)
def _mnist_tensors(folder: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    try:
        return read_mnist(folder)
    except IdxError as error:
        raise DatasetError(str(error)) from None


def load_mnist(settings: DatasetSettings) -> RawData:
    """The shipped MNIST (60,000 training and 10,000 test digits, 28x28, 8-bit)."""
    x, y, xt, yt = _mnist_tensors(str(MNIST_DIR))
    return RawData("image", x=x, y=y, x_test=xt, y_test=yt, sample_shape=(1, 28, 28),
                   class_names=[str(i) for i in range(10)])


def _load_points(settings: DatasetSettings) -> RawData:
    classes = 2 if settings.source in ("xor", "moons") else settings.classes
    x, y = synthetic.make_points(settings.source, settings.samples, settings.noise, classes, settings.seed)
    return RawData("points", x=x, y=y, sample_shape=(2,), class_names=[str(i) for i in range(classes)])


def _load_one_hot(settings: DatasetSettings) -> RawData:
    x, y = synthetic.one_hot_8()
    return RawData("bits", x=x, y=y, x_test=x.clone(), y_test=y.clone(), sample_shape=(8,),
                   class_names=[str(i) for i in range(8)], notes=["The 8-bit set is its own test set."])


_POINTS = "samples, noise, classes, seed"
SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("mnist", "MNIST handwritten digits shipped with LayerLab (60,000 train / 10,000 test, 1x28x28)",
           True, "", load_mnist),
    Source("spiral", "interleaved 2-D spirals, one arm per class", True, _POINTS, _load_points),
    Source("circles", "concentric 2-D rings, one per class", True, _POINTS, _load_points),
    Source("xor", "2-D points labeled by the sign of x*y (two classes)", True, "samples, noise, seed", _load_points),
    Source("blobs", "Gaussian 2-D clusters, one per class", True, _POINTS, _load_points),
    Source("moons", "two interleaving 2-D half circles", True, "samples, noise, seed", _load_points),
    Source("one_hot_8", "the eight 8-bit one-hot vectors (8-3-8 encoder)", True, "", _load_one_hot),
    Source("torchvision", "a torchvision dataset by class name (FashionMNIST, CIFAR10, ...), local files or "
           "download", True, "name, path, download", files.load_torchvision),
    Source("image_folder", "a folder with one sub-folder of images per class (read from disk per batch)",
           False, "path, image_size, grayscale", files.load_image_folder),
    Source("csv", "a CSV file: numeric feature columns and one label column", True, "path, label_column",
           files.load_csv),
    Source("npz", "a NumPy .npz archive with arrays X and y (optional X_test, y_test)", True, "path",
           files.load_npz),
)}


def load_raw(settings: DatasetSettings) -> RawData:
    return SOURCES[settings.source].load(settings)
