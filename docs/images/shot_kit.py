"""What the screenshot scripts share: an offscreen Qt (unless a display is asked for) with settings
of its own (never the user's), a real main window of a given size, and waiting on the event loop.
Import it before anything of the project: it puts the repository on sys.path."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

if TYPE_CHECKING:
    from gui.shell.main_window import MainWindow


def own_settings() -> Path:
    """A fresh folder for the window's settings (dock layout, recent files); returned for other files."""
    folder = Path(tempfile.mkdtemp())
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))
    return folder


def new_window(width: int = 1280, height: int = 800) -> MainWindow:
    """The application's main window, shown at this size, without autosaving."""
    from gui.app import setup_application
    from gui.shell.main_window import MainWindow

    setup_application()
    window = MainWindow()
    window.files.autosaver.timer.stop()
    window.resize(width, height)
    window.show()
    return window


def sample_with_dock(sample: str, dock: str, height: int) -> MainWindow:
    """A new window with a copy of sample_projects/`sample`.layerlab open, live training attached and
    the bottom dock `dock` shown, `height` pixels tall."""
    from PySide6.QtCore import Qt

    window = new_window()
    window.files.open_path(ROOT / "sample_projects" / f"{sample}.layerlab", ask=False, as_copy=True)
    window.attach_training()
    window.show_dock(dock)
    window.resizeDocks([window.docks[dock]], [height], Qt.Orientation.Vertical)
    return window


def settle(rounds: int = 5) -> None:
    """Let queued events (layout, paint) run."""
    for _ in range(rounds):
        QApplication.processEvents()


def wait(condition: Callable[[], bool], seconds: float = 120) -> None:
    """Run the event loop until `condition()` holds or `seconds` have passed."""
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def save(window: MainWindow, name: str) -> None:
    """The window as it is now, as HERE/name."""
    settle()
    window.grab().save(str(HERE / name))
    print("wrote", name)


def close(window: MainWindow) -> None:
    """Close without asking to save."""
    window.document.undo_stack.setClean()
    window.close()
