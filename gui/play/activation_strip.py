"""Each layer's activations for the Play input, as a strip of thumbnails in the model's order, and,
when asked, on the network's cards on the canvas (the window draws them; this widget says what)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from gui.play.images import activation_thumbnail


class ActivationStrip(QWidget):
    cards_changed = Signal(object)  # {activation key: values} to draw on the cards, or None: none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_cards = QCheckBox("Show on the network's cards")
        self.on_cards.setToolTip("Draw each layer's activations for this input on its card on the canvas, "
                                 "in place of its parameters")
        self.on_cards.toggled.connect(lambda on: self.cards_changed.emit(self.latest if on else None))
        self.latest: dict[str, np.ndarray] | None = None
        self._row = QWidget()
        self._row_layout = QHBoxLayout(self._row)
        self._row_layout.setContentsMargins(0, 0, 0, 0)
        self._row_layout.addStretch(1)
        self._cells: dict[str, tuple[QLabel, QLabel]] = {}
        scroll = QScrollArea()
        scroll.setWidget(self._row)
        scroll.setWidgetResizable(True)
        scroll.setFixedHeight(100)
        title = QHBoxLayout()
        title.addWidget(QLabel("<b>Each layer's activations for this input</b>"))
        title.addStretch(1)
        title.addWidget(self.on_cards)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(title)
        layout.addWidget(scroll)

    def show_activations(self, activations: dict[str, np.ndarray], name_of: Callable[[str], str]) -> None:
        """One thumbnail per layer (the cells are kept while the layers stay the same)."""
        if list(activations) != list(self._cells):
            self._rebuild(list(activations), name_of)
        for key, values in activations.items():
            cell, caption = self._cells[key]
            cell.setPixmap(activation_thumbnail(values))
            cell.setToolTip(f"{caption.text()}: {' × '.join(map(str, np.shape(values)[1:]))}")
        self.latest = activations
        if self.on_cards.isChecked():
            self.cards_changed.emit(activations)

    def clear(self) -> None:
        self._rebuild([], str)
        self.latest = None
        if self.on_cards.isChecked():
            self.cards_changed.emit(None)

    def _rebuild(self, keys: list[str], name_of: Callable[[str], str]) -> None:
        while self._row_layout.count():
            item = self._row_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._cells = {}
        for key in keys:
            cell, caption = QLabel(), QLabel(name_of(key))
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(cell)
            column.addWidget(caption)
            self._row_layout.addWidget(holder)
            self._cells[key] = (cell, caption)
        self._row_layout.addStretch(1)
