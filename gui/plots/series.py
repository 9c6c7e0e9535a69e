"""A growable numeric series: appended to by the training controller, read by plots."""

from __future__ import annotations

import numpy as np


class Series:
    """x/y values kept at full resolution (views thin them only for drawing)."""

    def __init__(self, capacity: int = 1024) -> None:
        self._x = np.empty(capacity, np.float64)
        self._y = np.empty(capacity, np.float64)
        self.size = 0
        self.version = 0  # bumps on every change so views redraw only when needed

    def append(self, x: float, y: float) -> None:
        if self.size == len(self._x):
            self._x = np.resize(self._x, 2 * self.size)
            self._y = np.resize(self._y, 2 * self.size)
        self._x[self.size], self._y[self.size] = x, y
        self.size += 1
        self.version += 1

    def clear(self) -> None:
        self.size = 0
        self.version += 1

    @property
    def x(self) -> np.ndarray:
        return self._x[:self.size]

    @property
    def y(self) -> np.ndarray:
        return self._y[:self.size]


class Smoother:
    """Exponential moving average (TensorBoard-style, debiased), extended incrementally so a
    long run costs only the new points per redraw."""

    def __init__(self) -> None:
        self.weight = -1.0
        self.out = np.empty(0)
        self.done = 0
        self.last = self.norm = 0.0

    def __call__(self, values: np.ndarray, weight: float) -> np.ndarray:
        if weight <= 0:
            return values
        if weight != self.weight or values.size < self.done:
            self.weight, self.done, self.last, self.norm = weight, 0, 0.0, 0.0
        if self.out.size < values.size:
            self.out = np.resize(self.out, max(values.size, 2 * self.out.size))
        last, norm = self.last, self.norm
        for i in range(self.done, values.size):
            last = weight * last + (1 - weight) * values[i]
            norm = weight * norm + (1 - weight)
            self.out[i] = last / norm
        self.last, self.norm, self.done = last, norm, values.size
        return self.out[:values.size]
