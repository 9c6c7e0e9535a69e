"""Autoencoders: probe inputs next to their reconstructions, and a slider that walks between
two samples' codes and shows what the decoder makes of each point on the way."""

from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider

from gui.plots.base import PlotPanel
from gui.plots.image_grid import ImageGridPanel

Decoder = Callable[[np.ndarray, Callable[[np.ndarray], None]], None]
"""decode(code batch, done): decodes (on the compute thread) and calls done(images) on the GUI thread."""


def as_images(batch: np.ndarray) -> np.ndarray:
    """(N, 1, H, W) or (N, H, W) or (N, D) -> (N, H, W) grey images (D must be a square)."""
    if batch.ndim == 4:
        return batch[:, 0] if batch.shape[1] == 1 else np.transpose(batch, (0, 2, 3, 1))
    if batch.ndim == 2:
        side = int(round(batch.shape[1] ** 0.5))
        return batch.reshape(-1, side, side) if side * side == batch.shape[1] else batch[:, None, :]
    return batch


PAIRS_HINT = "Train an autoencoder to compare inputs with their reconstructions."
MORPH_HINT = "Available when a run is paused or finished."


class AutoencoderPanel(PlotPanel):
    title = "Reconstruction"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.pairs = ImageGridPanel()
        self.pairs.title_label.setText("<b>Inputs (odd columns) and reconstructions (even columns)</b>")
        self.pairs.show_message(PAIRS_HINT)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self._interpolate)
        self.morph = ImageGridPanel()
        self.morph.title_label.setText("<b>Decoded from the mixed code</b>")
        self.morph.show_message(MORPH_HINT)
        row = QHBoxLayout()
        row.addWidget(QLabel("sample A"))
        row.addWidget(self.slider, 1)
        row.addWidget(QLabel("sample B"))
        self.body.addWidget(self.pairs, 2)
        self.body.addLayout(row)
        self.body.addWidget(self.morph, 1)
        self.inputs = self.outputs = None
        self.codes: tuple[np.ndarray, np.ndarray] | None = None
        self.decode: Decoder | None = None

    def clear(self) -> None:
        """Back to the empty state (another project, a new run)."""
        self.inputs = self.outputs = None
        self.codes, self.decode = None, None
        self.slider.setEnabled(False)
        self.pairs.show_message(PAIRS_HINT)
        self.morph.show_message(MORPH_HINT)

    def set_pairs(self, inputs: np.ndarray, outputs: np.ndarray) -> None:
        self.inputs, self.outputs = inputs, outputs
        a, b = as_images(inputs), as_images(outputs)
        interleaved = np.stack([a, b], axis=1).reshape(-1, *a.shape[1:])
        self.pairs.set_data(f"{len(a)} probe samples", interleaved)

    def set_decoder(self, code_a: np.ndarray, code_b: np.ndarray, decode: Decoder | None) -> None:
        """Enable the slider: decode((1-t) * code_a + t * code_b) for t in [0, 1]."""
        self.codes, self.decode = (code_a, code_b), decode
        self.slider.setEnabled(decode is not None)
        if decode is not None:
            self._interpolate(self.slider.value())

    def _interpolate(self, value: int) -> None:
        if self.decode is None or self.codes is None:
            return
        t = value / 100
        code = (1 - t) * self.codes[0] + t * self.codes[1]
        self.decode(code[None], lambda output: self._show_morph(t, output))

    def _show_morph(self, t: float, output: np.ndarray) -> None:
        self.morph.set_data(f"t = {t:.2f}", as_images(output))
        self.morph.refresh()

    def refresh(self) -> None:
        self.pairs.refresh()

    def csv_table(self):
        if self.inputs is None:
            return ("sample",), ()
        errors = ((self.inputs - self.outputs) ** 2).reshape(len(self.inputs), -1).mean(axis=1)
        return ("sample", "mean_squared_error"), enumerate(errors.tolist())
