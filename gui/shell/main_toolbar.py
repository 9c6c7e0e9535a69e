"""The main toolbar, always visible: Train / Pause / Step / Stop, the device the run uses and a
compact progress, then Fit and Layout, then Undo and Redo."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QProgressBar, QStyle, QToolBar, QWidget

from gui.training.progress import BAR_STEPS

ICONS = {"act_train": QStyle.StandardPixmap.SP_MediaPlay, "act_pause": QStyle.StandardPixmap.SP_MediaPause,
         "act_step": QStyle.StandardPixmap.SP_MediaSkipForward, "act_stop": QStyle.StandardPixmap.SP_MediaStop,
         "act_undo": QStyle.StandardPixmap.SP_ArrowBack, "act_redo": QStyle.StandardPixmap.SP_ArrowForward}
SHORT_TEXT = {"act_train": "Train", "act_pause": "Pause", "act_step": "Step", "act_stop": "Stop",
              "act_fit": "Fit", "act_layout": "Layout", "act_undo": "Undo", "act_redo": "Redo"}


class RunStatus(QWidget):
    """The device the next or current run uses, and the run's progress in a few words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.device = QLabel("device: …")
        self.device.setObjectName("runDevice")
        self.device.setToolTip("Where training runs (training.device in the Training panel)")
        self.bar = QProgressBar()
        self.bar.setRange(0, BAR_STEPS)
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(110, 12)
        self.text = QLabel("")
        self.text.setObjectName("runProgress")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 0, 10, 0)
        layout.setSpacing(8)
        layout.addWidget(self.device)
        layout.addWidget(self.bar)
        layout.addWidget(self.text)
        self.bar.hide()

    def set_device(self, text: str) -> None:
        self.device.setText(f"device: {text}")

    def show_progress(self, fraction: float | None, text: str) -> None:
        """`fraction` None hides the bar (before a run, or a run that ended early)."""
        self.bar.setVisible(fraction is not None)
        if fraction is not None:
            value = int(BAR_STEPS * max(0.0, min(1.0, fraction)))
            if value != self.bar.value():  # setValue repaints at once, even unchanged
                self.bar.setValue(value)
        self.text.setText(text)


def build_toolbar(window: QMainWindow, status: RunStatus) -> QToolBar:
    bar = QToolBar("Main toolbar", window)
    bar.setObjectName("mainToolbar")
    bar.setMovable(False)
    bar.setIconSize(QSize(16, 16))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    style = window.style()
    for group in (("act_train", "act_pause", "act_step", "act_stop"), ("act_fit", "act_layout"),
                  ("act_undo", "act_redo")):
        for name in group:
            action: QAction = getattr(window, name)
            if name in ICONS:
                action.setIcon(style.standardIcon(ICONS[name]))
            action.setIconText(SHORT_TEXT[name])
            bar.addAction(action)
        if group[0] == "act_train":
            bar.addWidget(status)
        bar.addSeparator()
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return bar
