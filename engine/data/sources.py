"""How each dataset source loads: a loader from settings to RawData per source that
engine.data.catalog declares (what each source is and which settings it reads is declared there)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import torch

from engine import resources
from engine.data import catalog, files, synthetic
from engine.data.errors import DatasetError
from engine.data.idx import IdxError, read_mnist
from engine.data.raw import RawData
from engine.data.settings import DatasetSettings

MNIST_DIR = resources.mnist_dir()


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
    classes = catalog.source(settings.source).classes or settings.classes
    x, y = synthetic.make_points(settings.source, settings.samples, settings.noise, classes, settings.seed)
    return RawData("points", x=x, y=y, sample_shape=(2,), class_names=[str(i) for i in range(classes)])


def _load_one_hot(settings: DatasetSettings) -> RawData:
    x, y = synthetic.one_hot_8()
    return RawData("bits", x=x, y=y, x_test=x.clone(), y_test=y.clone(), sample_shape=(8,),
                   class_names=[str(i) for i in range(8)], notes=["The 8-bit set is its own test set."])


LOADERS: dict[str, Callable[[DatasetSettings], RawData]] = {
    "mnist": load_mnist, **dict.fromkeys(("spiral", "circles", "xor", "blobs", "moons"), _load_points),
    "one_hot_8": _load_one_hot, "torchvision": files.load_torchvision, "image_folder": files.load_image_folder,
    "csv": files.load_csv, "npz": files.load_npz,
}


def load_raw(settings: DatasetSettings) -> RawData:
    return LOADERS[settings.source](settings)
