"""A one-time welcome note over the canvas on first start: what the network on screen is and
what to do first. Closed with its button; never shown again."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from gui.common import settings

TEXT = ("<b>Welcome to LayerLab.</b> This small network reads handwritten digits (MNIST ships with "
        "LayerLab): press <b>Train</b> (F5) and watch it learn. File &gt; New has more samples; "
        "Help &gt; Getting Started explains the rest.")
SHOWN_KEY = "welcome_shown"


class WelcomeBanner(QFrame):
    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self.setObjectName("welcomeBanner")
        label = QLabel(TEXT)
        label.setWordWrap(True)
        self.label = label
        close = QPushButton("Got it")
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 10, 10)
        layout.addWidget(label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignVCenter)
        view.installEventFilter(self)
        self.hide()

    def show_once(self) -> None:
        if settings.settings().value(SHOWN_KEY, False, type=bool):
            return
        self._place()
        self.show()
        self.raise_()

    def dismiss(self) -> None:
        settings.settings().setValue(SHOWN_KEY, True)
        self.hide()

    def _place(self) -> None:
        """Centred at the bottom of the canvas, as tall as its wrapped text needs."""
        parent = self.parentWidget()
        width = max(min(parent.width() - 24, 720), 240)
        margins = self.layout().contentsMargins()
        button = self.layout().itemAt(1).widget().sizeHint().width() + self.layout().spacing()
        text_height = self.label.heightForWidth(width - margins.left() - margins.right() - button)
        self.setFixedSize(width, text_height + margins.top() + margins.bottom())
        self.move((parent.width() - width) // 2, parent.height() - self.height() - 12)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False
