"""Read IDX files (the MNIST format), plain or gzip'd, into numpy arrays."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from engine.errors import LayerLabError


class DatasetError(LayerLabError):
    """A dataset source is missing, malformed or does not fit the task."""


_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in an IDX file; DatasetError names the file and what is wrong with it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise DatasetError(f"Cannot read '{path}': the file does not exist.") from None
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DatasetError(f"Cannot read '{path}': {error}.") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES:
        raise DatasetError(f"'{path}' is not an IDX file (bad magic number).")
    dims = raw[3]
    header = 4 + 4 * dims
    if len(raw) < header:
        raise DatasetError(f"'{path}' is truncated (its header is incomplete).")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    dtype = np.dtype(_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise DatasetError(f"'{path}' is truncated or padded: {len(raw) - header} data bytes for shape "
                           f"{list(shape)} (expected {expected}).")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))
