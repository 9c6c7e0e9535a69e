"""Regenerate docs/images/play_panel.png: LeNet-5 trained briefly (2,048 MNIST samples, 2 epochs),
a hand-drawn 7 in the Play panel with its integrated-gradients map and each layer's activations on
the network's cards, in a 1280x800 window; and docs/images/lesson.png: File > Open Lesson… with the
vanishing-gradients lesson (deep ReLU) chosen, then that lesson open with its text in the Lesson panel.

    QT_QPA_PLATFORM=offscreen python docs/images/make_play_screenshot.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def wait(condition, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder / "settings"))
    from engine.project import load_project
    from engine.run_dir import train_to_directory
    from engine.training import Trainer
    from gui.app import setup_application
    from gui.shell.main_window import MainWindow

    project = load_project(ROOT / "sample_projects" / "lenet5.layerlab")
    project.dataset.update({"subset": 2048, "test_subset": 500})
    project.training.update({"epochs": 2})
    train_to_directory(Trainer(project), folder / "run")
    setup_application()
    window = MainWindow()
    window.files.autosaver.timer.stop()
    window.resize(1280, 800)
    window.show()
    window.files.open_path(ROOT / "sample_projects" / "lenet5.layerlab", ask=False, as_copy=True)
    window.attach_training()
    window.show_dock("Play")
    window.resizeDocks([window.docks["Play"]], [470], Qt.Orientation.Vertical)
    panel = window.play
    panel.set_run(folder / "run")
    wait(lambda: panel.source is not None)
    panel.method.setCurrentIndex(panel.method.findData("integrated_gradients"))
    panel.strip.on_cards.setChecked(True)
    panel.canvas.draw_stroke([(50, 50), (175, 50), (150, 100), (120, 150), (100, 200)])  # a 7
    wait(lambda: panel.last is not None and panel.last.heat is not None and not panel._busy)
    for _ in range(5):
        QApplication.processEvents()
    window.grab().save(str(HERE / "play_panel.png"))
    print("wrote play_panel.png; top:", panel.last.prediction.top[:3], panel.last.heat_note)
    window.document.undo_stack.setClean()
    window.close()
    lesson_screenshots()


def lesson_screenshots() -> None:
    from gui.shell.lesson_wiring import open_lesson, show_lessons
    from gui.shell.main_window import MainWindow

    window = MainWindow()
    window.files.autosaver.timer.stop()
    window.resize(1280, 800)
    window.show()
    gallery = show_lessons(window)
    gallery.select("06b_deep_relu")
    for _ in range(5):
        QApplication.processEvents()
    gallery.grab().save(str(HERE / "lessons_gallery.png"))
    lesson = gallery.chosen()
    gallery.reject()
    open_lesson(window, lesson)
    for _ in range(10):
        QApplication.processEvents()
    window.grab().save(str(HERE / "lesson.png"))
    print("wrote lessons_gallery.png and lesson.png:", lesson["title"] if lesson else None)
    window.document.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
