"""Read IDX files (the MNIST format), plain or gzip'd: LayerLab's one IDX reader.

Torch-only (no LayerLab imports): the training_script export embeds this module, so an exported
script reads MNIST with the same code as the app. Problems raise IdxError naming the file;
engine.data.sources turns it into a DatasetError.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import torch


class IdxError(ValueError):
    """An IDX file is missing, not an IDX file, truncated, or does not match its partner."""


IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
               "t10k-labels-idx1-ubyte.gz")


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in an IDX file; IdxError names the file and what is wrong with it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise IdxError(f"Cannot read '{path}': the file does not exist.") from None
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise IdxError(f"Cannot read '{path}': {error}.") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES:
        raise IdxError(f"'{path}' is not an IDX file (bad magic number).")
    dims = raw[3]
    header = 4 + 4 * dims
    if len(raw) < header:
        raise IdxError(f"'{path}' is truncated (its header is incomplete).")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    dtype = np.dtype(IDX_TYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise IdxError(f"'{path}' is truncated or padded: {len(raw) - header} data bytes for shape "
                       f"{list(shape)} (expected {expected}).")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_mnist(folder: str | os.PathLike) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(train images uint8 [N, 1, 28, 28], train labels int64, test images, test labels) from the
    four MNIST files (MNIST_FILES) in `folder`."""
    folder = Path(folder)
    images, labels, test_images, test_labels = (read_idx(folder / name) for name in MNIST_FILES)
    for x, y in ((images, labels), (test_images, test_labels)):
        if x.ndim != 3 or len(x) != len(y):
            raise IdxError(f"The MNIST files in '{folder}' do not match (images {x.shape}, labels {y.shape}).")
    as_images = lambda a: torch.from_numpy(a).unsqueeze(1)  # noqa: E731
    as_labels = lambda a: torch.from_numpy(a.astype(np.int64))  # noqa: E731
    return as_images(images), as_labels(labels), as_images(test_images), as_labels(test_labels)
