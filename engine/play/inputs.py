"""Inputs for the Play panel: a mouse drawing made into an MNIST-like digit, an image file converted
to the Input's shape, and the project's test samples, all normalized as the project's dataset is in
training (the statistics engine.data records in `Dataset.normalization`)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from engine.data.dataset import Dataset, load_dataset
from engine.data.settings import DatasetSettings
from engine.errors import LayerLabError
from engine.project import Project

MNIST_BOX, MNIST_SIZE = 20, 28
INK = 0.05  # a pixel brighter than this is ink (the bounding box and the centre of mass)


class PlayInputError(LayerLabError):
    """An input the Play panel cannot use (an unreadable file, channels that do not map)."""


@dataclass(frozen=True)
class PlaySamples:
    """Test samples for display: `images` N×C×H×W (0..1 for images, as loaded otherwise), `labels`
    (N,) class indices (None without labels), `class_names` (None without classes)."""

    images: np.ndarray
    labels: np.ndarray | None
    class_names: list[str] | None


# -- the dataset, loaded once per dataset settings ---------------------------------------------
_cache: dict[str, Dataset] = {}
_lock = threading.Lock()


def project_dataset(project: Project) -> Dataset:
    """The project's dataset as training prepares it (splits, normalization statistics); loaded
    once per dataset settings and kept (the last two)."""
    key = json.dumps(project.dataset, sort_keys=True, default=str)
    with _lock:
        if key not in _cache:
            if len(_cache) >= 2:
                _cache.pop(next(iter(_cache)))
            _cache[key] = load_dataset(DatasetSettings.from_dict(project.dataset))
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


def to_model_input(image: np.ndarray, project: Project) -> torch.Tensor:
    """An image in 0..1 (H×W or C×H×W; any shape with the Input's number of values) -> a 1×C×H×W
    float tensor normalized as the project's dataset is in training."""
    shape = input_shape(project)
    array = np.asarray(image, dtype=np.float32)
    if array.size != int(np.prod(shape)):
        raise PlayInputError(f"The input has {array.size} values; the network's Input takes {list(shape)} "
                             f"({int(np.prod(shape))} values).")
    x = torch.from_numpy(array.reshape(1, *shape).copy())
    return normalize(x, project_dataset(project))


def test_samples(project: Project, count: int | None = None) -> PlaySamples:
    """The first `count` (None: all) samples of the project's test split, in display range."""
    dataset = project_dataset(project)
    split = dataset.test
    if not split.in_memory:
        pairs = [split.stream[i] for i in range(min(count or len(split), len(split)))]
        x = torch.stack([a for a, _ in pairs]) if pairs else torch.zeros(0, *dataset.sample_shape)
        y = torch.tensor([b for _, b in pairs]) if pairs else None
    else:
        x, y = split.x[:count], None if split.y is None else split.y[:count]
        x = denormalize(x.float().cpu(), dataset)
    labels = y.cpu().numpy() if y is not None and dataset.task == "classification" else None
    names = dataset.class_names or ([str(i) for i in range(dataset.num_classes)] if dataset.num_classes else None)
    return PlaySamples(x.numpy().astype(np.float32), labels, names)


test_samples.__test__ = False  # not a test, for pytest's collection of modules that import it


# -- drawings ------------------------------------------------------------------------------------
def mnist_like(drawing: np.ndarray) -> np.ndarray:
    """A grayscale drawing (H×W, 0..1, white on black, any size) -> 28×28 float32 in 0..1 made as
    MNIST digits are: the ink's bounding box scaled (anti-aliased) so its longer side is 20 px,
    then placed so that its centre of mass is at the centre. No ink: zeros."""
    image = np.clip(np.asarray(drawing, dtype=np.float32), 0.0, 1.0)
    if image.ndim != 2:
        raise PlayInputError(f"A drawing is one grayscale plane (height × width); got shape {list(image.shape)}.")
    rows, cols = np.nonzero(image > INK)
    if rows.size == 0:
        return np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    box = image[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    h, w = box.shape
    factor = MNIST_BOX / max(h, w)
    size = (max(1, round(h * factor)), max(1, round(w * factor)))
    scaled = F.interpolate(torch.from_numpy(box)[None, None], size=size, mode="bilinear", antialias=True,
                           align_corners=False)[0, 0].clamp(0, 1).numpy()
    total = scaled.sum()
    ys, xs = np.indices(scaled.shape)
    cy, cx = (ys * scaled).sum() / total, (xs * scaled).sum() / total
    centre = MNIST_SIZE / 2  # MNIST's digits have their centre of mass at (14, 14)
    top, left = int(round(centre - cy)), int(round(centre - cx))
    out = np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + size[0], MNIST_SIZE), min(left + size[1], MNIST_SIZE)
    out[y0:y1, x0:x1] = scaled[y0 - top:y1 - top, x0 - left:x1 - left]
    return out


# -- image files ---------------------------------------------------------------------------------
def _read_image(path: Path) -> torch.Tensor:
    """The file's pixels as uint8 C×H×W: torchvision's decoders (PNG, JPEG, GIF, WebP), else Pillow."""
    from torchvision.io import ImageReadMode, decode_image

    try:
        data = torch.frombuffer(bytearray(path.read_bytes()), dtype=torch.uint8)
    except OSError as error:
        raise PlayInputError(f"Cannot read '{path}': {error.strerror or error}.") from None
    try:
        return decode_image(data, mode=ImageReadMode.UNCHANGED)
    except (RuntimeError, ValueError):
        pass
    try:
        from PIL import Image

        with Image.open(path) as picture:
            picture.load()
            picture = picture if picture.mode in ("L", "LA", "RGB", "RGBA") else picture.convert("RGBA")
            array = np.asarray(picture, dtype=np.uint8)
    except Exception:  # Pillow raises many kinds of errors for files it cannot decode
        raise PlayInputError(f"Cannot read '{path}' as an image (PNG, JPEG, BMP, GIF or WebP): the file is "
                             "damaged or in another format.") from None
    return torch.from_numpy(array.copy()).reshape(*array.shape[:2], -1).permute(2, 0, 1)


def _flatten_alpha(image: torch.Tensor) -> tuple[torch.Tensor, bool]:
    """Composite a transparent image (2 or 4 channels) over white; (C×H×W 0..1, had alpha)."""
    x = image.float() / 255
    if x.shape[0] in (2, 4):
        alpha = x[-1:]
        return x[:-1] * alpha + (1 - alpha), True
    return x, False


def image_file_to_input(path: str | Path, input_shape: tuple[int, ...]) -> tuple[np.ndarray, str]:
    """Read an image file and convert it to the Input's shape (C×H×W, C 1 or 3): grayscale or RGB,
    resized to H×W; for a 1×28×28 Input, inverted when the background is light and centred like
    MNIST. Returns (array C×H×W in 0..1, a note of the conversion). PlayInputError when the file
    cannot be read or its channels cannot map to the Input."""
    path = Path(path)
    shape = tuple(int(n) for n in input_shape)
    if len(shape) != 3:
        raise PlayInputError(f"'{path.name}': the network's Input takes {list(shape)} values, not an image "
                             "(channels × height × width).")
    channels, height, width = shape
    if channels not in (1, 3):
        raise PlayInputError(f"'{path.name}': the network's Input has {channels} channels; an image file gives "
                             "1 (grayscale) or 3 (RGB).")
    x, alpha = _flatten_alpha(_read_image(path))
    kind = {1: "grayscale", 3: "RGB"}.get(x.shape[0])
    if kind is None:
        raise PlayInputError(f"'{path.name}' has {x.shape[0]} channels; only grayscale and RGB images can be used.")
    h, w = x.shape[1:]
    done = [f"converted {w}×{h} {kind}{' with transparency' if alpha else ''} to {channels}×{height}×{width}"]
    if channels == 1 and x.shape[0] == 3:
        x = (x * torch.tensor([0.299, 0.587, 0.114]).view(3, 1, 1)).sum(0, keepdim=True)
        done[0] += " grayscale"
    elif channels == 3 and x.shape[0] == 1:
        x = x.expand(3, -1, -1)
        done[0] += " RGB (gray copied to each channel)"
    if shape == (1, MNIST_SIZE, MNIST_SIZE):
        border = torch.cat([x[0, 0], x[0, -1], x[0, :, 0], x[0, :, -1]])
        if float(border.mean()) > 0.5:
            x = 1 - x
            done.append("inverted (light background)")
        done.append("centred like MNIST")
        return mnist_like(x[0].numpy())[None], ", ".join(done)
    if (h, w) != (height, width):
        x = F.interpolate(x[None], size=(height, width), mode="bilinear", antialias=True, align_corners=False)[0]
        if abs(w / h - width / height) > 0.01:
            done.append("stretched to fit")
    return x.clamp(0, 1).numpy().astype(np.float32), ", ".join(done)
