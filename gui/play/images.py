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


CARD_PICTURE = (280, 62)  # a card's picture area (140×31 on the canvas) at twice its size
CARD_GAP = 6


def _nearest(array: np.ndarray, height: int, width: int) -> np.ndarray:
    """`array` (H×W) resized by repeating its values: sharp cells, nothing invented."""
    rows = np.arange(height) * array.shape[0] // height
    columns = np.arange(width) * array.shape[1] // width
    return array[rows][:, columns]


def _colours(values: np.ndarray, scale: float, signed: bool) -> np.ndarray:
    """H×W values → H×W×3 uint8: 0 black → `scale` white; signed values blue (−) and red (+) on white."""
    v = np.nan_to_num(values / scale if scale > 0 else np.zeros_like(values)).clip(-1, 1)
    if not signed:
        return np.repeat((v * 255).astype(np.uint8)[:, :, None], 3, axis=2)
    positive, negative = v.clip(0, 1), (-v).clip(0, 1)
    rgb = np.stack([1 - negative * 0.8, 1 - (positive + negative) * 0.75, 1 - positive * 0.8], axis=2)
    return (rgb * 255).astype(np.uint8)


def card_picture(values: np.ndarray) -> tuple[np.ndarray, str]:
    """One layer's output for one input, drawn for its card on the canvas: feature maps as the four
    most active channels side by side, a vector as a grid of cells (one per unit), on one scale
    (0 black, the largest white; values below zero in blue, above in red). Returns the H×W×3
    picture and a sentence saying what it shows."""
    array = np.asarray(values, dtype=np.float32)
    array = array[0] if array.ndim >= 2 and array.shape[0] == 1 else array
    if array.ndim == 3 and array.shape[1] * array.shape[2] == 1:
        array = array.reshape(-1)  # channels of one pixel (after global pooling): a vector
    width, height = CARD_PICTURE
    background = np.full((height, width, 3), 245, dtype=np.uint8)
    signed = bool(np.nanmin(array) < 0) if array.size else False
    if array.ndim == 3:
        count = min(len(array), (width + CARD_GAP) // (height + CARD_GAP))
        strongest = np.argsort(-np.abs(array).mean(axis=(1, 2)), kind="stable")[:count]
        shown = array[strongest]
        scale = float(np.abs(shown).max()) if shown.size else 0.0
        for place, channel in enumerate(shown):
            left = place * (height + CARD_GAP)
            background[:, left:left + height] = _colours(_nearest(channel, height, height), scale, signed)
        listed = ", ".join(str(int(c)) for c in strongest)
        return background, (f"channels {listed} of {len(array)} (the most active), "
                            f"{array.shape[1]}×{array.shape[2]} each")
    if array.ndim == 1:
        rows = int(min(max(round(np.sqrt(array.size * height / width)), 1), max(array.size, 1)))
        columns = int(np.ceil(array.size / rows)) if array.size else 1
        grid = np.full(rows * columns, np.nan, dtype=np.float32)
        grid[:array.size] = array
        grid = grid.reshape(rows, columns)
        what = f"{array.size} values, one cell each" + (f" ({rows} rows)" if rows > 1 else "")
    else:
        grid = array.reshape(array.shape[0], -1) if array.ndim >= 2 else array.reshape(1, -1)
        what = f"{' × '.join(map(str, array.shape))} values"
    scale = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 0.0
    picture = _colours(_nearest(grid, height, width), scale, signed)
    picture[_nearest(np.isnan(grid), height, width)] = 245
    return picture, what
