"""Tile many small images (feature maps, filters, weight pictures) into one grid image."""

from __future__ import annotations

import math

import numpy as np


def normalize_each(images: np.ndarray, symmetric: bool = False) -> np.ndarray:
    """Scale each image to [0, 1] on its own, so faint and strong maps are both visible.
    With `symmetric`, zero maps to 0.5 (for signed weights drawn with a diverging colour map)."""
    flat = images.reshape(images.shape[0], -1).astype(np.float32)
    if symmetric:
        peak = np.abs(flat).max(axis=1, keepdims=True)
        peak[peak == 0] = 1.0
        return (0.5 + 0.5 * flat / peak).reshape(images.shape)
    low = flat.min(axis=1, keepdims=True)
    span = flat.max(axis=1, keepdims=True) - low
    span[span == 0] = 1.0
    return ((flat - low) / span).reshape(images.shape)


def tile(images: np.ndarray, columns: int | None = None, gap: int = 1) -> np.ndarray:
    """(N, H, W) or (N, H, W, 3) -> one (rows*(H+gap), cols*(W+gap)[, 3]) image, background NaN-free 1.0."""
    count, height, width = images.shape[:3]
    columns = columns or max(1, math.ceil(math.sqrt(count)))
    rows = max(1, math.ceil(count / columns))
    channels = images.shape[3:]
    grid = np.ones((rows * (height + gap) - gap, columns * (width + gap) - gap, *channels), np.float32)
    for index in range(count):
        r, c = divmod(index, columns)
        top, left = r * (height + gap), c * (width + gap)
        grid[top:top + height, left:left + width] = images[index]
    return grid


def as_image_stack(array: np.ndarray, symmetric: bool = False) -> np.ndarray:
    """Turn one layer's data into images to tile.

    (C, H, W) feature maps -> C grey images; (O, 3, kh, kw) colour filters -> O RGB images;
    (O, I, kh, kw) filters -> O*I grey images (first input channel only when I > 3);
    (U,) unit activations -> one row image.
    """
    if array.ndim == 4 and array.shape[1] == 3:
        return normalize_each(np.transpose(array, (0, 2, 3, 1)))
    if array.ndim == 4:
        return normalize_each(array[:, 0], symmetric)
    if array.ndim == 3:
        return normalize_each(array, symmetric)
    if array.ndim == 1:
        return normalize_each(array.reshape(1, 1, -1), symmetric)
    return normalize_each(array.reshape(1, *array.shape[-2:]), symmetric)
