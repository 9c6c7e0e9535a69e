"""Inputs for the Play panel: a mouse drawing made into an MNIST-like digit, an image file converted
to the Input's shape, and the project's test samples, all normalized as the project's dataset is in
training (the statistics engine.data records in `Dataset.normalization`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from engine.play.data import (
    PlayInputError,
    denormalize,
    input_shape,
    normalize,
    project_dataset,
    remember_dataset,
)
from engine.project import Project

__all__ = ["PlayInputError", "PlaySamples", "denormalize", "image_file_to_input", "input_shape", "mnist_like",
           "normalize", "project_dataset", "remember_dataset", "test_samples", "to_model_input"]

MNIST_BOX, MNIST_SIZE = 20, 28
INK = 0.05  # a pixel brighter than this is ink (the bounding box and the centre of mass)


@dataclass(frozen=True)
class PlaySamples:
    """Test samples for display: `images` N×C×H×W (0..1 for images, as loaded otherwise), `labels`
    (N,) class indices (None without labels), `class_names` (None without classes)."""

    images: np.ndarray
    labels: np.ndarray | None
    class_names: list[str] | None


def to_model_input(image: np.ndarray, project: Project) -> torch.Tensor:
    """An image in 0..1 (H×W or C×H×W; any shape with the Input's number of values) -> a 1×C×H×W
    float tensor normalized as the project's dataset is in training (as it is without a dataset)."""
    shape = input_shape(project)
    array = np.asarray(image, dtype=np.float32)
    if array.size != int(np.prod(shape)):
        raise PlayInputError(f"The input has {array.size} values; the network's Input takes {list(shape)} "
                             f"({int(np.prod(shape))} values).")
    x = torch.from_numpy(array.reshape(1, *shape).copy())
    return normalize(x, project_dataset(project)) if project.dataset else x


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
    source = torch.from_numpy(np.ascontiguousarray(box))[None, None]
    if factor <= 1:  # smaller: each pixel the mean of the area it covers (a digit painted 10× comes back as it was)
        scaled = F.interpolate(source, size=size, mode="area")
    else:
        scaled = F.interpolate(source, size=size, mode="bilinear", antialias=True, align_corners=False)
    scaled = scaled[0, 0].clamp(0, 1).numpy()
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
    """The file's pixels as C×H×W (uint8, or uint16 for 16-bit PNGs): torchvision's decoders (PNG,
    JPEG, GIF, WebP; photos turned upright by their EXIF orientation), else Pillow (BMP, TIFF...)."""
    from torchvision.io import ImageReadMode, decode_image

    try:
        data = torch.frombuffer(bytearray(path.read_bytes()), dtype=torch.uint8)
    except OSError as error:
        raise PlayInputError(f"Cannot read '{path}': {error.strerror or error}.") from None
    try:
        return decode_image(data, mode=ImageReadMode.UNCHANGED, apply_exif_orientation=True)
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
    x = image.float() / (65535 if image.dtype == torch.uint16 else 255)  # 16-bit PNGs too
    if x.shape[0] in (2, 4):
        alpha = x[-1:]
        return x[:-1] * alpha + (1 - alpha), True
    return x, False


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")
"""The image files `image_file_to_input` reads (torchvision's decoder; BMP through Pillow)."""


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
