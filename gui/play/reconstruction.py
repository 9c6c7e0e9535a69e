"""An autoencoder in the Play panel: its reconstruction of the input, and for codes of at most
three values a slider per value that walks the code (the decoder's picture follows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSlider, QVBoxLayout, QWidget

from gui.play.images import image_rgb, pixmap

SIDE = 168


class ReconstructionView(QWidget):
    def __init__(self, source: Callable[[], Any], submit: Callable[..., None], failed: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source, self.submit, self.failed = source, submit, failed
        self.picture = QLabel()
        self.picture.setFixedSize(SIDE, SIDE)
        self.sliders: list[QSlider] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.addWidget(self.picture)
        self.column.addStretch(1)

    def show_answer(self, reconstruction: np.ndarray, code: np.ndarray | None) -> None:
        self.picture.setPixmap(pixmap(image_rgb(reconstruction), SIDE))
        self._set_code(code)

    def _set_code(self, code: np.ndarray | None) -> None:
        """A slider per code value, set to this input's code (in hundredths)."""
        values = [] if code is None else [float(v) for v in np.ravel(code)]
        if len(values) != len(self.sliders):
            for slider in self.sliders:
                slider.deleteLater()
            self.sliders = []
            for i, _ in enumerate(values):
                slider = QSlider(Qt.Orientation.Horizontal)
                slider.valueChanged.connect(lambda _: self.decode())
                self.column.insertWidget(1 + i, slider)
                self.sliders.append(slider)
        for slider, value in zip(self.sliders, values, strict=True):
            slider.blockSignals(True)
            slider.setRange(int(min(-300, 200 * value)), int(max(300, 200 * value)))
            slider.setValue(int(round(100 * value)))
            slider.setToolTip(f"code value {value:.2f}")
            slider.blockSignals(False)

    def decode(self) -> None:
        """Show what the decoder makes of the code the sliders say (on the compute thread)."""
        source = self.source()
        if source is None or not self.sliders:
            return
        code = np.array([s.value() / 100 for s in self.sliders], dtype=np.float32)
        self.submit(lambda: source.decode(code), lambda image: self.picture.setPixmap(pixmap(image_rgb(image), SIDE)),
                    self.failed)
