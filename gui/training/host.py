"""What the training feature needs from the window that hosts it (gui.shell.main_window.MainWindow
is one): the document, the canvas scene, the Run actions, a place for its docks and the status
bar. Tests build the feature with a small stand-in instead of a whole window."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from gui.canvas.scene import CanvasScene
from gui.document.document import Document


class RunProgress(Protocol):
    """The toolbar's compact run status."""

    def set_device(self, text: str) -> None: ...

    def show_progress(self, fraction: float | None, text: str) -> None: ...


class TrainingHost(Protocol):
    document: Document
    scene: CanvasScene
    run_status: RunProgress
    act_train: QAction  # the Run actions: the host owns them (menu, toolbar), the feature drives them
    act_pause: QAction
    act_step: QAction
    act_stop: QAction
    act_gradcheck: QAction

    def show_status(self, message: str, msec: int = 5000) -> None: ...

    def add_training_docks(self, panel: QWidget, views: QWidget) -> None:
        """Place the Training panel and the Views (once, when the feature is made)."""

    def show_dock(self, title: str) -> None:
        """Show and raise the dock called `title` ("Training", "Views")."""

    def enter_training_layout(self) -> None:
        """Give the views room: a run has started."""

    def dismiss_welcome(self) -> None:
        """The newcomer did what the welcome note suggested: it may go."""
