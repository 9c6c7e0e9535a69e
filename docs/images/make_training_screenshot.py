"""Render the window during a real training run (LeNet-5 on an MNIST subset) to a PNG.

    QT_QPA_PLATFORM=offscreen python docs/images/make_training_screenshot.py docs/images/training.png
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]


def wait(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main(out: str, sample: str = "lenet5", tab: str = "Loss", select: str = "c1") -> None:
    from gui.app import setup_application
    from gui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    setup_application()
    window = MainWindow()
    window.files.autosaver.timer.stop()
    window.files.open_path(ROOT / "sample_projects" / f"{sample}.layerlab", ask=False)
    project = window.document.project
    project.dataset = {**project.dataset, "subset": 6000, "test_subset": 1000, "validation_split": 0.1}
    project.training = {**project.training, "epochs": 3}
    window.training.panel.load_sections(project.dataset, project.training)  # the forms show what trains
    window.resize(1600, 1000)
    window.show()
    window.training.probe_every = 20
    window.training.start()
    deadline = time.monotonic() + 120
    while window.training.controller.state == "running" and time.monotonic() < deadline:
        wait(app, 0.2)
    window.scene.select_nodes([window.document.network.find(select)])
    views = window.training.views
    views.setCurrentIndex(next(i for i in range(views.count()) if views.tabText(i) == tab))
    window.docks["Training"].raise_()
    wait(app, 1.0)
    window.grab().save(out)
    print(f"wrote {out}")
    window.training.shutdown()
    window.document.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
