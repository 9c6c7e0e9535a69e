"""A transient message shown near the cursor (e.g. why a connection was refused)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QLabel, QWidget


class Toast(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setWordWrap(True)
        self.setMaximumWidth(380)
        self.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def show_at(self, text: str, pos: QPoint, msec: int = 4000) -> None:
        self.setText(text)
        self.adjustSize()
        parent = self.parentWidget()
        x = min(max(4, pos.x() + 14), max(4, parent.width() - self.width() - 4))
        y = min(max(4, pos.y() + 14), max(4, parent.height() - self.height() - 4))
        self.move(x, y)
        self.show()
        self.raise_()
        self._timer.start(msec)
