"""Live training cost and GUI responsiveness.

1. The same LeNet-5 run (MNIST subset) trained headless (probes off, as the CLI does) and in
   the window with every view visible at once (probes at the app's default interval): the
   ratio of best wall times (goal: at most 1.10). Each run is a fresh process.
2. In a separate windowed run, a 2 ms timer probes the event loop: the longest time the loop
   was busy beyond the tick (goal: under 50 ms) and the 99th percentile (goal: under 16 ms).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_live_training.py [--samples 6000 --epochs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication, QGridLayout, QWidget

from engine.project import load_project
from engine.training import records as R
from engine.training.settings import DEFAULT_PROBE_EVERY
from engine.training.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def project(samples: int, epochs: int):
    p = load_project(ROOT / "sample_projects" / "lenet5.layerlab")
    p.dataset = {**p.dataset, "subset": samples, "test_subset": 1000, "validation_split": 0.1}
    p.training = {**p.training, "epochs": epochs}
    return p


def headless_seconds(samples: int, epochs: int) -> float:
    trainer = Trainer(project(samples, epochs))
    start = time.perf_counter()
    for record in trainer.run():
        if isinstance(record, R.END_RECORDS):
            break
    return time.perf_counter() - start


class StallProbe:
    """Ticks every millisecond; gaps between ticks are how long the event loop was busy."""

    def __init__(self, interval_ms: int = 2) -> None:
        self.times: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.times.append(time.perf_counter()))

    def gaps_ms(self) -> np.ndarray:
        return np.diff(np.array(self.times)) * 1000


def settle(app: QApplication, seconds: float = 0.5) -> None:
    """Let the windows lay themselves out and paint (their first paint is no part of a run)."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)


def windowed_seconds(app: QApplication, samples: int, epochs: int, wall_of_views: bool = True,
                     probe_every: int = DEFAULT_PROBE_EVERY, stall_probe: bool = True) -> tuple[float, np.ndarray]:
    from gui.app import setup_application
    from gui.shell.main_window import MainWindow

    setup_application()
    window = MainWindow()
    window.files.autosaver.timer.stop()
    window.document.set_project(project(samples, epochs))
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    views = window.training.views
    if wall_of_views:
        wall = QWidget()  # every view visible at once, each refreshed by the views' timer
        grid = QGridLayout(wall)
        for index, panel in enumerate(views.panels):
            grid.addWidget(panel, index // 3, index % 3)
            panel.show()  # a tab page other than the current one was hidden explicitly
        wall.resize(1800, 1200)
        wall.show()
    window.scene.select_nodes([window.document.network.find("c1")])
    settle(app)
    probe = StallProbe()
    window.training.probe_every = probe_every
    loop = QEventLoop()
    window.training.controller.state_changed.connect(
        lambda state: loop.quit() if state not in ("running", "paused") else None)
    start, cpu = time.perf_counter(), time.thread_time()
    window.training.start()
    if stall_probe:
        probe.timer.start()
    loop.exec()
    elapsed = time.perf_counter() - start
    windowed_seconds.gui_cpu = time.thread_time() - cpu  # the GUI thread's own CPU time during the run
    probe.timer.stop()
    window.document.undo_stack.setClean()
    window.close()
    return elapsed, probe.gaps_ms()


def child(mode: str, samples: int, epochs: int) -> None:
    """One measurement in a fresh process: PyTorch keeps one OpenMP pool per thread that used it,
    so a headless run and a windowed run in one process would disturb each other."""
    if mode == "headless":
        headless_seconds(500, 1)  # warm up torch and the file cache
        print(json.dumps({"seconds": headless_seconds(samples, epochs)}))
        return
    app = QApplication.instance() or QApplication([])
    from gui.common.compute import run_in_background

    warm = QEventLoop()  # the same warm-up as headless, on the thread that will train
    run_in_background(lambda: headless_seconds(500, 1), lambda _: warm.quit(), lambda _: warm.quit())
    warm.exec()
    seconds, gaps = windowed_seconds(app, samples, epochs, stall_probe=mode == "window-probed")
    print(json.dumps({"seconds": seconds, "gaps": gaps.tolist(), "gui_cpu": windowed_seconds.gui_cpu}))


def measure(mode: str, samples: int, epochs: int) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", mode, "--samples", str(samples),
                             "--epochs", str(epochs)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--child", choices=("headless", "window", "window-probed"))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.samples, args.epochs)
        return
    headless = [measure("headless", args.samples, args.epochs)["seconds"] for _ in range(2)]
    windows = [measure("window", args.samples, args.epochs) for _ in range(2)]
    windowed = [w["seconds"] for w in windows]
    headless.append(measure("headless", args.samples, args.epochs)["seconds"])
    probed = measure("window-probed", args.samples, args.epochs)
    reference, gaps = min(headless), np.array(probed["gaps"])
    print(f"LeNet-5, {args.samples} MNIST samples, {args.epochs} epochs; window: probes every "
          f"{DEFAULT_PROBE_EVERY} steps, at most one a second, all 9 views visible and refreshed; each run in "
          "a fresh process")
    print(f"headless (probes off): {', '.join(f'{h:.2f}' for h in headless)} s (best {reference:.2f})")
    print(f"window, every view visible: {', '.join(f'{w:.2f}' for w in windowed)} s (best {min(windowed):.2f})  ->  "
          f"ratio {min(windowed) / reference:.3f} (goal <= 1.10)")
    print("GUI thread CPU time during those runs: " + ", ".join(
        f"{w['gui_cpu']:.2f} s ({w['gui_cpu'] / w['seconds']:.0%} "
                                                                  "of the run)" for w in windows))
    stalls = np.maximum(gaps - 2.0, 0.0)  # time beyond the timer's own 2 ms interval
    print(f"separate run with a 2 ms timer probing the event loop ({probed['seconds']:.2f} s; the probe itself "
          "costs training time, so it is not in the ratio)")
    print(f"event loop during training: {len(gaps)} ticks; stall beyond the 2 ms tick: longest {stalls.max():.1f} ms "
          f"(goal < 50), 99th percentile {np.percentile(stalls, 99):.1f} ms (goal < 16), "
          f"median {np.median(stalls):.2f} ms")


if __name__ == "__main__":
    main()
