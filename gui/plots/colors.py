"""Colour scales shared by the image views: a diverging scale centred on zero for signed values
(weights, activations), a grey ramp for pictures, and numpy -> QImage conversion."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

# ColorBrewer RdBu (reversed): blue negative, white zero, red positive.
_DIVERGING_STOPS = np.array([(5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240),
                             (247, 247, 247), (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43),
                             (103, 0, 31)], np.float32)
GAP = QColor(128, 128, 128)
"""Between tiles: a neutral grey that is on no colour scale (not white = zero, not red or blue)."""


def _ramp(stops: np.ndarray, size: int = 257) -> np.ndarray:  # odd: zero has an entry of its own
    positions = np.linspace(0, 1, len(stops))
    t = np.linspace(0, 1, size)
    return np.stack([np.interp(t, positions, stops[:, c]) for c in range(3)], axis=1).round().astype(np.uint8)


DIVERGING = _ramp(_DIVERGING_STOPS)
GREY = _ramp(np.array([(0, 0, 0), (255, 255, 255)], np.float32))


def symmetric_peak(values: np.ndarray) -> float:
    """The largest |value| (1.0 for all zeros or no finite value), the half-range of a centred scale."""
    finite = np.abs(values[np.isfinite(values)]) if values.size else values
    peak = float(finite.max()) if finite.size else 0.0
    return peak if peak > 0 else 1.0


def to_rgb(values: np.ndarray, low: float, high: float, lut: np.ndarray = DIVERGING) -> np.ndarray:
    """Values (H, W) -> (H, W, 3) uint8 through `lut`, `low` and `high` at its two ends."""
    span = high - low if high > low else 1.0
    top = len(lut) - 1
    index = np.clip((np.asarray(values) - low) / span * top, 0, top)  # infinities go to the ends
    missing = np.isnan(index)
    if missing.any():  # NaN: the middle of the scale
        index[missing] = min(max(0.5 * (high - low) / span * top, 0), top)
    return lut[index.astype(np.intp)]


def diverging_rgb(values: np.ndarray, peak: float) -> np.ndarray:
    """Zero is white, -peak full blue, +peak full red."""
    return to_rgb(values, -peak, peak, DIVERGING)


def grey_rgb(values: np.ndarray) -> np.ndarray:
    """A picture: its own minimum black, maximum white."""
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return to_rgb(values, low, high, GREY)


def unit_rgb(values: np.ndarray) -> np.ndarray:
    """(H, W, 3) floats in any range -> uint8, scaled so the image spans 0..255 (colour pictures)."""
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    span = high - low if high > low else 1.0
    return np.clip((values - low) / span * 255, 0, 255).round().astype(np.uint8)


def qimage(rgb: np.ndarray) -> QImage:
    """(H, W, 3) uint8 -> a QImage that owns its pixels."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
