"""Regenerate docs/images/runs_panel.png: the Runs panel over a history of real-format run
directories (the MNIST perceptron at several widths and learning rates; made-up metrics, as the
runs tests use), two runs selected and the trade-off chart shown, in a 1280x800 window.

    QT_QPA_PLATFORM=offscreen python docs/images/make_runs_screenshot.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main() -> None:
    folder = Path(tempfile.mkdtemp()) / "runs"
    os.environ["LAYERLAB_RUNS"] = str(folder)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from gui.app import setup_application
    from gui.shell.main_window import MainWindow
    from tests.engine.runs.helpers import mlp_project, write_run

    for i, (units, lr) in enumerate([(16, 0.1), (32, 0.01), (64, 0.01), (128, 0.001), (64, 0.1), (256, 0.01)]):
        write_run(folder, f"mnist_mlp-{units}-lr{lr}", project=mlp_project(units, lr=lr), started=1.76e9 + 600 * i,
                  epochs=6, tags=["lr-sweep"] if lr != 0.01 else ["width"])
    setup_application()
    window = MainWindow()
    window.files.autosaver.timer.stop()
    window.resize(1280, 800)
    window.show()
    window.files.open_path(ROOT / "sample_projects" / "mnist_mlp.layerlab", ask=False, as_copy=True)
    window.attach_training()
    window.show_dock("Runs")
    window.resizeDocks([window.docks["Runs"]], [430], Qt.Orientation.Vertical)
    panel = window.runs
    panel.select_ids(["mnist_mlp-64-lr0.01", "mnist_mlp-256-lr0.01"])
    for _ in range(5):
        QApplication.processEvents()
    window.grab().save(str(HERE / "runs_panel.png"))
    print("wrote runs_panel.png")
    window.document.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
