"""File-backed sources: CSV, NPZ, an image folder (ImageFolder layout) and torchvision sets."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import torch

from engine.data.errors import DatasetError
from engine.data.raw import RawData
from engine.data.settings import DatasetSettings
from engine.data.torchvision_sets import TORCHVISION_ROOT, image_tensors, open_torchvision

__all__ = ["TORCHVISION_ROOT", "load_csv", "load_image_folder", "load_npz", "load_torchvision"]


def load_csv(settings: DatasetSettings) -> RawData:
    """Numeric feature columns and one label column (by name or number; default the last)."""
    path = Path(settings.path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if row]
    except FileNotFoundError:
        raise DatasetError(f"Cannot read '{path}': the file does not exist (dataset.path).") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"Cannot read '{path}': {error}.") from None
    if not rows:
        raise DatasetError(f"'{path}' is empty.")
    header = rows[0] if not all(_is_number(c) for c in rows[0]) else [f"column{i}" for i in range(len(rows[0]))]
    body = rows[1:] if header is rows[0] else rows
    width = len(header)
    for number, row in enumerate(body, start=2 if header is rows[0] else 1):
        if len(row) != width:
            raise DatasetError(f"'{path}' line {number} has {len(row)} values; the header has {width}.")
    label = _label_index(settings.label_column, header, path)
    features = [i for i in range(width) if i != label]
    x = np.empty((len(body), len(features)), dtype=np.float32)
    for r, row in enumerate(body):
        for c, index in enumerate(features):
            try:
                x[r, c] = float(row[index])
            except ValueError:
                raise DatasetError(f"'{path}' line {r + 1 + (header is rows[0])}, column '{header[index]}': "
                                   f"'{row[index]}' is not a number (features must be numeric).") from None
    labels = [row[label] for row in body]
    raw = RawData("table", x=torch.from_numpy(x), sample_shape=(len(features),),
                  feature_names=[header[i] for i in features], target_name=header[label])
    if settings.task == "regression":
        try:
            raw.y = torch.tensor([float(v) for v in labels], dtype=torch.float32)
        except ValueError:
            raise DatasetError(f"'{path}': the target column '{header[label]}' must be numeric for "
                               "regression.") from None
    elif settings.task == "classification":
        raw.y, raw.class_names = _encode_labels(labels)
    return raw


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _label_index(column: str, header: list[str], path: Path) -> int:
    if not column:
        return len(header) - 1
    if column in header:
        return header.index(column)
    if column.lstrip("-").isdigit() and -len(header) <= int(column) < len(header):
        return int(column) % len(header)
    raise DatasetError(f"'{path}' has no column '{column}' (dataset.label_column); its columns: "
                       f"{', '.join(header)}.")


def _encode_labels(labels: list) -> tuple[torch.Tensor, list[str]]:
    names = sorted({str(v) for v in labels}, key=lambda s: (not _is_number(s), float(s) if _is_number(s) else 0, s))
    lookup = {name: i for i, name in enumerate(names)}
    return torch.tensor([lookup[str(v)] for v in labels], dtype=torch.long), names


def load_npz(settings: DatasetSettings) -> RawData:
    """An .npz archive with arrays X and y (optionally X_test and y_test)."""
    path = Path(settings.path)
    try:
        archive = np.load(path, allow_pickle=False)
        arrays = {key: archive[key] for key in archive.files}
    except FileNotFoundError:
        raise DatasetError(f"Cannot read '{path}': the file does not exist (dataset.path).") from None
    except (OSError, ValueError) as error:
        raise DatasetError(f"Cannot read '{path}' as an .npz archive: {error}.") from None
    lower = {key.lower(): key for key in arrays}
    if "x" not in lower:
        raise DatasetError(f"'{path}' has no array 'X' (it has: {', '.join(arrays) or 'none'}); save it with "
                           "numpy.savez(path, X=samples, y=labels).")
    x = _as_float(arrays[lower["x"]], path, "X")
    raw = RawData("image" if x.ndim == 4 else "table", x=x, sample_shape=tuple(x.shape[1:]))
    if settings.task != "reconstruction":
        if "y" not in lower:
            wanted = "labels" if settings.task == "classification" else "targets"
            raise DatasetError(f"'{path}' has no array 'y' with the {wanted}.")
        raw.y = _targets(arrays[lower["y"]], settings.task, path, "y")
        if len(raw.y) != len(x):
            raise DatasetError(f"'{path}': X has {len(x)} samples but y has {len(raw.y)}.")
    if "x_test" in lower:
        raw.x_test = _as_float(arrays[lower["x_test"]], path, "X_test")
        if settings.task != "reconstruction" and "y_test" in lower:
            raw.y_test = _targets(arrays[lower["y_test"]], settings.task, path, "y_test")
    if raw.y is not None and settings.task == "classification":
        raw.class_names = [str(i) for i in range(int(raw.y.max()) + 1)]
    return raw


def _as_float(array: np.ndarray, path: Path, name: str) -> torch.Tensor:
    if not np.issubdtype(array.dtype, np.number) or array.ndim < 2:
        raise DatasetError(f"'{path}': {name} must be a numeric array of shape (samples, features...), "
                           f"not {array.dtype} {array.shape}.")
    if array.dtype == np.uint8:
        return torch.from_numpy(np.ascontiguousarray(array))
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))


def _targets(array: np.ndarray, task: str, path: Path, name: str) -> torch.Tensor:
    if task == "classification":
        if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer) or (array.size and array.min() < 0):
            raise DatasetError(f"'{path}': {name} must hold class numbers 0, 1, 2, ... (one per sample).")
        return torch.from_numpy(array.astype(np.int64))
    return torch.from_numpy(np.asarray(array, dtype=np.float32))


def image_transform(settings: DatasetSettings):
    """Decode to a float tensor in [0, 1], optionally grey and resized (torchvision.transforms.v2)."""
    from torchvision.transforms import v2

    steps = [v2.ToImage()]
    if settings.grayscale:
        steps.append(v2.Grayscale())
    if settings.image_size:
        steps.append(v2.Resize(list(settings.image_size), antialias=True))
    steps.append(v2.ToDtype(torch.float32, scale=True))
    return v2.Compose(steps)


def load_image_folder(settings: DatasetSettings) -> RawData:
    """One sub-folder per class (torchvision ImageFolder); images are read from disk per batch."""
    from torchvision.datasets import ImageFolder

    path = Path(settings.path)
    if not path.is_dir():
        raise DatasetError(f"'{path}' is not a folder (dataset.path); an image folder holds one sub-folder "
                           "of images per class.")
    try:
        folder = ImageFolder(str(path), transform=image_transform(settings))
    except (FileNotFoundError, RuntimeError) as error:
        raise DatasetError(f"Cannot use '{path}' as an image folder: {error}") from None
    first, _ = folder[0]
    shapes = {tuple(folder[i][0].shape) for i in range(min(len(folder), 8))}
    if len(shapes) > 1 and not settings.image_size:
        raise DatasetError(f"The images in '{path}' have different sizes; set dataset.image_size "
                           "(for example dataset.image_size=[64,64]).")
    return RawData("image", stream=folder, sample_shape=tuple(first.shape), class_names=list(folder.classes))


def load_torchvision(settings: DatasetSettings) -> RawData:
    """A torchvision dataset class by name, from local files (or downloaded when allowed)."""
    import torchvision.datasets as tvd

    cls = getattr(tvd, settings.name, None)
    if not isinstance(cls, type):
        known = ", ".join(n for n in ("MNIST", "FashionMNIST", "KMNIST", "EMNIST", "CIFAR10", "CIFAR100", "SVHN",
                                      "STL10", "QMNIST", "USPS"))
        raise DatasetError(f"torchvision has no dataset '{settings.name}' (dataset.name); try one of {known}.")
    root = Path(settings.path) if settings.path else TORCHVISION_ROOT
    parts = []
    for train in (True, False):
        try:
            data = open_torchvision(cls, str(root), train, settings.download)
        except (RuntimeError, OSError) as error:
            hint = "" if settings.download else " Set dataset.download=true to let torchvision fetch it."
            raise DatasetError(f"Cannot load torchvision {settings.name} from '{root}': {error}.{hint}") from None
        parts.append(_tensors_of(data, settings))
    (x, y, names), (xt, yt, _) = parts
    return RawData("image", x=x, y=y, x_test=xt, y_test=yt, sample_shape=tuple(x.shape[1:]), class_names=names)


def _tensors_of(data, settings: DatasetSettings):
    tensors = None if settings.image_size or settings.grayscale else image_tensors(data)
    if tensors is not None:
        x, y = tensors
    else:
        data.transform = image_transform(settings)
        samples = [data[i] for i in range(len(data))]
        x = torch.stack([s[0] for s in samples])
        y = torch.tensor([int(s[1]) for s in samples], dtype=torch.long)
    return x, y, [str(c) for c in getattr(data, "classes", [])] or None
