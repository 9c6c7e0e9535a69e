"""Arrays as pictures for the Play panel: grayscale images scaled up with sharp pixels, attribution
maps over them in warm colours, and small thumbnails of a layer's activations."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def _to_uint8(array: np.ndarray) -> np.ndarray:
    low, high = float(np.min(array)), float(np.max(array))
    scaled = (array - low) / (high - low) if high > low else np.zeros_like(array)
    return np.ascontiguousarray((scaled * 255).clip(0, 255).astype(np.uint8))


def image_rgb(image: np.ndarray) -> np.ndarray:
    """C×H×W or H×W in 0..1 -> H×W×3 uint8 (one channel is shown gray; three as colour)."""
    array = np.asarray(image, dtype=np.float32)
    if array.ndim == 1:  # a vector (e.g. the 8-3-8 encoder's input) as one row
        array = array.reshape(1, -1)
    if array.ndim == 3 and array.shape[0] == 3:
        array = array.transpose(1, 2, 0)
    elif array.ndim == 3:
        array = array.mean(axis=0)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    return (array.clip(0, 1) * 255).astype(np.uint8)


def with_heat(image: np.ndarray, heat: np.ndarray | None, strength: float = 0.65) -> np.ndarray:
    """The image with a 0..1 attribution map laid over it (red-yellow where the answer came from)."""
    rgb = image_rgb(image).astype(np.float32)
    if heat is None or heat.shape != rgb.shape[:2]:
        return rgb.astype(np.uint8)
    h = np.clip(heat, 0, 1)[:, :, None] * strength
    warm = np.stack([np.ones_like(heat), np.clip(heat * 1.6, 0, 1), np.zeros_like(heat)], axis=2) * 255
    return (rgb * (1 - h) + warm * h).astype(np.uint8)


def pixmap(rgb: np.ndarray, side: int) -> QPixmap:
    """An H×W×3 uint8 picture scaled to `side` pixels wide, each pixel a sharp square."""
    rgb = np.ascontiguousarray(rgb)
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaledToWidth(side, Qt.TransformationMode.FastTransformation)


def activation_thumbnail(values: np.ndarray, side: int = 56) -> QPixmap:
    """One layer's output for one input: feature maps averaged over channels, vectors as a strip."""
    array = np.asarray(values, dtype=np.float32)
    array = array[0] if array.ndim >= 2 and array.shape[0] == 1 else array
    if array.ndim == 3:
        array = array.mean(axis=0)
    elif array.ndim == 1:
        columns = int(np.ceil(np.sqrt(array.size)))
        array = np.pad(array, (0, columns * columns - array.size)).reshape(columns, columns)
    elif array.ndim != 2:
        array = array.reshape(1, -1)
    gray = _to_uint8(array)
    return pixmap(np.repeat(gray[:, :, None], 3, axis=2), side)
