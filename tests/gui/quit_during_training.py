"""Run by tests/gui/test_quit.py in a process of its own, as `layerlab PROJECT` runs:

    python tests/gui/quit_during_training.py PROJECT SECONDS

opens the app on PROJECT, starts training as F5 does once live training is attached, and closes the
window SECONDS after the first training step has arrived (0: at once, while the run is still being
prepared), printing `close-requested monotonic=T` (the system-wide monotonic clock) just before."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import gui.app

GIVE_UP_SECONDS = 90


def drive(project: str, seconds: float) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    state = {"started": False, "first_step": None}
    give_up = time.monotonic() + GIVE_UP_SECONDS

    def on_records(batch: list) -> None:
        if state["first_step"] is None and any(type(r).__name__ == "StepRecord" for r in batch):
            state["first_step"] = time.monotonic()
            print("training-started", flush=True)

    def tick() -> None:
        window = next((w for w in QApplication.topLevelWidgets()
                       if w.objectName() == "LayerLabMainWindow" and w.isVisible()), None)
        training = getattr(window, "training", None)
        if window is not None and state["first_step"] is None and time.monotonic() > give_up:
            print(f"driver: no training step after {GIVE_UP_SECONDS} s; closing", flush=True)
            timer.stop()
            window.close()
            return
        if training is None:
            return  # torch is still loading
        if not state["started"]:
            state["started"] = True
            training.controller.records.connect(on_records)
            training.start()  # what F5 does
        elif (seconds == 0 and training.controller.active) or \
                (state["first_step"] is not None and time.monotonic() - state["first_step"] >= seconds):
            timer.stop()
            print(f"close-requested monotonic={time.monotonic():.6f}", flush=True)
            window.close()

    setup = gui.app.setup_application

    def setup_and_drive(argv=None):
        app = setup(argv)
        timer.setParent(app)
        timer.start(20)
        return app

    timer = QTimer()
    timer.timeout.connect(tick)
    gui.app.setup_application = setup_and_drive
    return gui.app.run_app([project])


if __name__ == "__main__":
    sys.exit(drive(sys.argv[1], float(sys.argv[2])))
