"""The Play panel's GUI-level latency on the CPU: from an input change to the panel showing the new
answer, painted (goal: median < 50 ms, max < 100 ms), for each attribution method (none, saliency,
integrated gradients, Grad-CAM) of lenet5 and resnet_mnist.

A real PlayPanel, shown (offscreen platform), loads a run directory from a short headless training
(512 MNIST samples, one epoch, on the compute thread). Each input changes the DrawCanvas as a user
does: half are mouse strokes sent with QTest (press, moves, release: the canvas's own stroke ->
`drawn` path), half are MNIST test digits painted into the canvas's image and sent through its
`drawn` signal. The clock starts just before the release (or the emit) and stops once the panel has
shown the answer to that input and the event queue is drained: layout, paint and the deleted
activation-strip widgets included. Every wait has a deadline.

The reference is the engine's own time for the same inputs: PlayModel.answer called directly, no Qt,
on the same compute thread the panel uses (torch keeps one OpenMP pool per thread; a second one on the
GUI thread would slow both). Threads: the Player and the attributions run on one (engine.training.probes
.one_thread), in the app as here. GUI/engine is the ratio of medians; the breakdown says where the GUI
time goes (the job on the compute thread, the panel's _answered/_show on the GUI thread, the events and
paint after it, the rest: queues and signal delivery).
--profile prints the GUI thread's costliest calls (cProfile) during the timed inputs.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_play.py [--inputs 30] [--samples lenet5 resnet_mnist]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.common.compute import ComputeThread  # noqa: E402

MEDIAN_MS, MAX_MS = 50.0, 100.0
DEADLINE_S = 30.0  # the longest any one wait may take (a training or a run's loading: TRAIN_DEADLINE_S)
TRAIN_DEADLINE_S = 300.0
METHOD_NAMES = {"": "none", "saliency": "saliency", "integrated_gradients": "integrated gradients",
                "grad_cam": "Grad-CAM"}


def ms(seconds: float) -> float:
    return seconds * 1000


def run_loop(done: Callable[[], bool], seconds: float, quit_hook: list) -> bool:
    """Run the event loop until done() (checked when quit_hook[0] is called), at most `seconds`."""
    if done():
        return True
    loop, timer = QEventLoop(), QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    quit_hook[:] = [lambda: loop.quit() if done() else None]
    timer.start(int(seconds * 1000))
    loop.exec()
    timer.stop()
    quit_hook[:] = [lambda: None]
    return done()


def on_compute_thread(fn: Callable[[], Any], seconds: float) -> Any:
    """fn() on the GUI's compute thread (where the panel's torch work runs); its result, waited for
    with a deadline. Exceptions come back as RuntimeError."""
    result: list = []
    hook: list = [lambda: None]

    def finish(value: Any, failed: bool) -> None:
        result.append((value, failed))
        hook[0]()

    ComputeThread.instance().submit(fn, lambda v: finish(v, False), lambda m: finish(m, True))
    if not run_loop(lambda: bool(result), seconds, hook):
        raise RuntimeError(f"no answer from the compute thread within {seconds:.0f} s")
    value, failed = result[0]
    if failed:
        raise RuntimeError(value)
    return value


def train_run(name: str, out: Path) -> Path:
    """A run directory from a short headless training (its weights are what Play loads)."""
    from engine.project import load_project
    from engine.run_dir import train_to_directory
    from engine.training import Trainer

    project = load_project(ROOT / "sample_projects" / f"{name}.layerlab")
    project.dataset.update({"subset": 512, "test_subset": 1000})
    project.training.update({"epochs": 1, "batch_size": 64})
    end = train_to_directory(Trainer(project), out)
    if type(end).__name__ == "Failed":
        raise RuntimeError(f"training {name} failed: {getattr(end, 'message', end)}")
    return out


class Watch:
    """Wraps the panel's `submit` (how it runs its computations) to count jobs and time each part:
    the job on the compute thread, the panel's callback on the GUI thread."""

    def __init__(self, panel) -> None:
        self.panel = panel
        self.submitted = self.finished = 0
        self.job_s: list[float] = []  # appended on the compute thread, read after the answer came
        self.callback_s = 0.0
        self.hook: list = [lambda: None]
        original = panel.submit

        def submit(fn, done, failed) -> None:
            self.submitted += 1

            def job():
                start = time.perf_counter()
                try:
                    return fn()
                finally:
                    self.job_s.append(time.perf_counter() - start)

            def finish(value, callback) -> None:
                start = time.perf_counter()
                callback(value)
                self.callback_s += time.perf_counter() - start
                self.finished += 1
                self.hook[0]()

            original(job, lambda v: finish(v, done), lambda m: finish(m, failed))

        panel.submit = submit

    def idle(self) -> bool:
        return self.finished == self.submitted and not self.panel._busy and self.panel._pending is None

    def wait(self, seconds: float = DEADLINE_S) -> None:
        if not run_loop(self.idle, seconds, self.hook):
            raise RuntimeError(f"the panel did not answer within {seconds:.0f} s")

    def reset(self) -> None:
        self.job_s, self.callback_s = [], 0.0


def drain(app: QApplication) -> None:
    """What the event loop does next anyway: layouts, paints (offscreen backing store), deleteLater."""
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()


def stroke(rng: np.random.Generator) -> list[QPoint]:
    """A digit-sized stroke: 3 to 6 points inside the canvas, joined by short moves."""
    corners = rng.integers(40, 184, size=(int(rng.integers(3, 7)), 2))
    points = []
    for a, b in zip(corners[:-1], corners[1:], strict=True):
        for t in np.linspace(0, 1, 6, endpoint=False):
            x, y = a + (b - a) * t
            points.append(QPoint(int(x), int(y)))
    points.append(QPoint(*map(int, corners[-1])))
    return points


class Inputs:
    """Changes the panel's canvas as a user would; `give(i)` returns the perf_counter time of the change."""

    def __init__(self, panel, digits: np.ndarray, seed: int = 0) -> None:
        self.panel, self.canvas = panel, panel.canvas
        self.digits = digits
        self.rng = np.random.default_rng(seed)

    def give(self, i: int) -> float:
        canvas = self.canvas
        side = canvas.width()
        if i % 2 == 0:  # a mouse stroke on a blank canvas (cleared without a `drawn` of its own)
            canvas.image.fill(0)
            points = stroke(self.rng)
            QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
            for point in points[1:]:
                QTest.mouseMove(canvas, point)
            start = time.perf_counter()
            QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])
            return start
        digit = self.digits[(i // 2) % len(self.digits)].reshape(28, 28)
        scale = side // 28
        pixels = np.zeros((side, side), np.uint8)
        pixels[:28 * scale, :28 * scale] = (np.kron(digit, np.ones((scale, scale))) * 255).clip(0, 255)
        pixels = np.ascontiguousarray(pixels)
        canvas.image = QImage(pixels.data, side, side, side, QImage.Format.Format_Grayscale8).copy()
        canvas.update()
        start = time.perf_counter()
        canvas.drawn.emit(canvas.array())
        return start


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:3.0f}%" if whole else "  -"


def bench(app: QApplication, name: str, count: int, folder: Path, profile: cProfile.Profile | None) -> list[dict]:
    from gui.play.panel import PlayPanel

    start = time.perf_counter()
    run_dir = on_compute_thread(lambda: train_run(name, folder / name), TRAIN_DEADLINE_S)
    trained = time.perf_counter() - start
    panel = PlayPanel()
    panel.resize(1200, 800)
    panel.show()
    watch = Watch(panel)
    panel.set_run(run_dir)
    watch.wait(TRAIN_DEADLINE_S)
    if panel.source is None:
        raise RuntimeError(f"the panel could not load {run_dir}: {panel.status.text()}")
    panel.inputs.setCurrentIndex(0)  # the Draw tab
    drain(app)
    print(f"{name}: trained 1 epoch and loaded in {trained:.1f} s + {time.perf_counter() - start - trained:.1f} s; "
          f"{count} inputs per method ({(count + 1) // 2} mouse strokes, {count // 2} MNIST test digits)")
    digits = panel.samples.images[-count:]  # not among the first inputs the panel was shown
    rows = []
    for key, label in METHOD_NAMES.items():
        reason = panel.source.methods.get(key) if key else None
        if reason:
            rows.append({"model": name, "method": label, "reason": reason})
            continue
        panel.method.setCurrentIndex(panel.method.findData(key))
        inputs = Inputs(panel, digits)
        inputs.give(1)  # warm up this method (its first call builds what it keeps)
        watch.wait()
        drain(app)
        totals, jobs, callbacks, drains, images = [], [], [], [], []
        for i in range(count):
            watch.reset()
            if profile is not None:
                profile.enable()
            began = inputs.give(i)
            watch.wait()
            answered = time.perf_counter()
            drain(app)
            end = time.perf_counter()
            if profile is not None:
                profile.disable()
            totals.append(ms(end - began))
            jobs.append(ms(sum(watch.job_s)))
            callbacks.append(ms(watch.callback_s))
            drains.append(ms(end - answered))
            images.append(panel._input[0])
            if panel.last is None or panel._input[1] is not True:
                raise RuntimeError("the panel did not take the drawing")
        def engine_times(source=panel.source, images=images, method=key or None) -> list[float]:
            source.answer(images[0], True, method, None)  # warm-up, as the panel's was
            times = []
            for image in images:
                began = time.perf_counter()
                source.answer(image, True, method, None)
                times.append(ms(time.perf_counter() - began))
            return times

        engine = on_compute_thread(engine_times, DEADLINE_S * 4)
        rows.append({"model": name, "method": label, "median": statistics.median(totals), "max": max(totals),
                     "engine": statistics.median(engine), "engine_max": max(engine),
                     "job": statistics.median(jobs), "callback": statistics.median(callbacks),
                     "drain": statistics.median(drains), "callback_max": max(callbacks),
                     "drain_max": max(drains), "layers": len(panel.last.prediction.activations)})
    panel.close()
    panel.deleteLater()
    drain(app)
    return rows


def report(rows: list[dict]) -> bool:
    print()
    print(f"{'model':13s} {'method':21s} {'GUI median':>10s} {'GUI max':>8s} {'engine med':>10s} "
          f"{'engine max':>10s} {'GUI/engine':>10s}  goal (median < {MEDIAN_MS:.0f}, max < {MAX_MS:.0f} ms)")
    ok_all = True
    for r in rows:
        if "reason" in r:
            print(f"{r['model']:13s} {r['method']:21s} not available: {r['reason']}")
            continue
        ok = r["median"] < MEDIAN_MS and r["max"] < MAX_MS
        ok_all &= ok
        print(f"{r['model']:13s} {r['method']:21s} {r['median']:8.1f}ms {r['max']:6.1f}ms {r['engine']:8.1f}ms "
              f"{r['engine_max']:8.1f}ms {r['median'] / r['engine']:10.2f}  {'ok' if ok else 'OVER THE GOAL'}")
    print()
    print("where the GUI time goes (medians, ms): the job on the compute thread (the same answer call), the "
          "panel's\n_answered/_show on the GUI thread, the events after it (layout, paint, deleteLater), the rest "
          "(queues,\nsignal delivery, the canvas's own event)")
    print(f"{'model':13s} {'method':21s} {'total':>7s} {'job':>7s} {'_show':>7s} {'paint':>7s} {'rest':>7s}"
          f"  {'_show max':>9s} {'paint max':>9s}  layers shown")
    for r in rows:
        if "reason" in r:
            continue
        rest = max(r["median"] - r["job"] - r["callback"] - r["drain"], 0.0)
        print(f"{r['model']:13s} {r['method']:21s} {r['median']:7.1f} {r['job']:7.1f} {r['callback']:7.1f} "
              f"{r['drain']:7.1f} {rest:7.1f}  {r['callback_max']:9.1f} {r['drain_max']:9.1f}  "
              f"{r['layers']}")
    return ok_all


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=30, help="timed inputs per model and method")
    parser.add_argument("--samples", nargs="+", default=["lenet5", "resnet_mnist"])
    parser.add_argument("--profile", action="store_true", help="cProfile the GUI thread during the timed inputs")
    args = parser.parse_args()
    from gui.app import setup_application

    app = setup_application()
    threads = on_compute_thread(lambda: __import__("torch").get_num_threads(), DEADLINE_S * 4)
    torch_version = on_compute_thread(lambda: __import__("torch").__version__, DEADLINE_S)
    print(f"torch {torch_version}, {threads} threads on the compute thread (Play's computations use one), "
          f"Qt platform {app.platformName()}")
    profile = cProfile.Profile() if args.profile else None
    start = time.perf_counter()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.samples:
            rows += bench(app, name, args.inputs, Path(folder), profile)
    ok = report(rows)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    if profile is not None:
        print("\nGUI thread, timed inputs only (cProfile, by own time):")
        pstats.Stats(profile).sort_stats("tottime").print_stats(18)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
