"""Lay many small images (feature maps, filters, weight pictures, samples) out in a grid and turn
arrays of any layer into pictures."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, Qt

from gui.plots.colors import grey_rgb, qimage, unit_rgb
from gui.plots.image_canvas import Label, Tile

_CENTRE = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop


def grid_shape(count: int, columns: int | None = None, aspect: float = 1.0) -> tuple[int, int]:
    """(rows, columns) for `count` cells, about `aspect` times as wide as tall unless `columns` is given."""
    if count <= 0:
        return 0, 0
    columns = columns or max(1, min(count, round(math.sqrt(count * aspect))))
    return math.ceil(count / columns), columns


def cell_size(height: int, width: int, target: float = 56.0) -> tuple[float, float]:
    """Display size (page units) of an image: small images are magnified to about `target` units."""
    scale = max(1.0, target / max(height, width))
    return width * scale, height * scale


def grid_rects(count: int, size: tuple[float, float], columns: int, gap: float = 2.0, left: float = 0.0,
               top: float = 0.0) -> list[QRectF]:
    width, height = size
    return [QRectF(left + (i % columns) * (width + gap), top + (i // columns) * (height + gap), width, height)
            for i in range(count)]


def pictures(array: np.ndarray) -> list[np.ndarray]:
    """Samples as RGB pictures: (N, H, W) grey, (N, 1|3, H, W) channels first, (N, H, W, 3) colour,
    (N, D) with a square D reshaped to a square."""
    array = np.asarray(array, np.float32)
    if array.ndim == 4 and array.shape[1] in (1, 3) and array.shape[-1] not in (3,):
        array = array[:, 0] if array.shape[1] == 1 else np.transpose(array, (0, 2, 3, 1))
    if array.ndim == 2:
        side = math.isqrt(array.shape[1])
        array = array.reshape(-1, side, side) if side * side == array.shape[1] else array[:, None, :]
    if array.ndim == 4:
        return [unit_rgb(image) for image in array]
    return [grey_rgb(image) for image in array]


def image_grid(rgbs: list[np.ndarray], names: list[str] | None = None, columns: int | None = None,
               target: float = 56.0, keys: list | None = None, frames: dict | None = None,
               aspect: float = 1.6) -> tuple[list[Tile], list[Label], tuple[float, float]]:
    """Tiles (and a name under each picture when `names` is given) for a page of pictures."""
    if not rgbs:
        return [], [], (0.0, 0.0)
    height, width = rgbs[0].shape[:2]
    size = cell_size(height, width, target)
    rows, columns = grid_shape(len(rgbs), columns, aspect)
    label_height = 16.0 if names else 0.0
    gap = 6.0 if names else 3.0
    cell = (size[0], size[1] + label_height)
    rects = grid_rects(len(rgbs), cell, columns, gap)
    tiles, labels = [], []
    for index, (rgb, rect) in enumerate(zip(rgbs, rects)):
        key = keys[index] if keys else None
        frame = (frames or {}).get(key)
        tiles.append(Tile(qimage(rgb), QRectF(rect.x(), rect.y(), size[0], size[1]), key, frame))
        if names:
            labels.append(Label(names[index], QRectF(rect.x() - gap / 2, rect.y() + size[1], size[0] + gap,
                                                     label_height), align=_CENTRE))
    page = (columns * (cell[0] + gap) - gap, rows * (cell[1] + gap) - gap)
    return tiles, labels, page
