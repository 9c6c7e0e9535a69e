"""Start the desktop app: `layerlab`, `layerlab PROJECT`, `layerlab --screenshot OUT.png [PROJECT]`.

Start-up order: the editor needs no torch, so the window is shown first; once it has painted, torch
loads on the compute thread (gui.common.compute.warm_up) and live training is attached when it is ready.
On quit the process ends promptly even during training (see `_leave`).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

SCREENSHOT_SIZE = (1600, 1000)
STARTUP_PROBE = "LAYERLAB_STARTUP_PROBE"
"""Set to 1: print `startup-probe monotonic=T wall=T torch=0|1` once the window has painted (torch=1:
torch was imported before), then quit (benchmarks/bench_startup.py)."""
EXIT_WAIT_MS = 300
"""After the window closes, how long the compute thread may take to finish its job before the
process ends without it (the training run itself is given a second by the window)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="layerlab", description="Design, train and understand neural networks. "
                                     "Subcommands (summary, validate, ...) run without the window: layerlab --help.")
    parser.add_argument("project", nargs="?", help="a .layerlab project to open (default: the last one)")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to a PNG and exit")
    parser.add_argument("--size", default=f"{SCREENSHOT_SIZE[0]}x{SCREENSHOT_SIZE[1]}",
                        help="window size for --screenshot, WIDTHxHEIGHT (default %(default)s)")
    parser.add_argument("--select", metavar="LAYER", help="with --screenshot: select this layer (by name) first")
    return parser


def binding_problem() -> str | None:
    """A known-bad PySide6 build for this Python, said plainly (None when all is well).

    PySide6 6.12.0 drops a reference to None on every call of a method that returns nothing when
    run on Python < 3.12 (where None is not immortal); a long session then aborts with
    "none_dealloc: deallocating None"."""
    import PySide6

    if PySide6.__version__.startswith("6.12.0") and sys.version_info < (3, 12):
        return ("PySide6 6.12.0 has a reference-counting bug on Python "
                f"{sys.version_info.major}.{sys.version_info.minor} that crashes long sessions; install "
                "'PySide6-Essentials<6.12' or use Python 3.12 or newer.")
    return None


def display_problem(environ=os.environ, platform: str = sys.platform) -> str | None:
    """Why no window can open here (a Linux machine without a desktop session), or None.

    Qt would otherwise fail to load its 'xcb' plugin and abort with advice to reinstall."""
    if platform in ("win32", "darwin") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    if (environ.get("QT_QPA_PLATFORM") or "xcb").split(":")[0] not in ("xcb", "wayland"):
        return None  # offscreen, vnc, eglfs, ...: Qt needs no desktop for those
    from engine.cli import command_names

    return ("layerlab: the window needs a desktop session (no DISPLAY or WAYLAND_DISPLAY is set); "
            "QT_QPA_PLATFORM=offscreen serves screenshots: layerlab --screenshot OUT.png [PROJECT].\n"
            f"Without a window: layerlab {'|'.join(command_names())} ... (layerlab --help)")


def setup_application(argv: list[str] | None = None):
    """The QApplication, with LayerLab's names, style and fonts (created if there is none yet)."""
    from PySide6.QtWidgets import QApplication

    from gui.common import settings, style

    app = QApplication.instance() or QApplication(argv or ["layerlab"])
    app.setOrganizationName(settings.ORGANIZATION)
    app.setApplicationName(settings.APPLICATION)
    if app.property("layerlab_styled"):  # once: restyling re-polishes every widget there is
        return app
    app.setStyle("Fusion")
    app.setFont(style.font(9.5))
    app.setStyleSheet(style.APP_STYLESHEET)
    app.setProperty("layerlab_styled", True)
    return app


def take_screenshot(out: str | Path, project: str | None, size: tuple[int, int], select: str | None = None) -> int:
    """Render the main window offscreen with `project` (or the first-run sample) and save a PNG.
    Never asks anything: a project that cannot be read is reported on stderr (exit code 2)."""
    from PySide6.QtWidgets import QApplication

    from engine.errors import LayerLabError
    from engine.project import load_project
    from gui.common import settings
    from gui.shell.main_window import MainWindow

    try:
        loaded = load_project(project or settings.FIRST_RUN_SAMPLE)
    except (LayerLabError, OSError) as error:
        print(f"layerlab: {error}", file=sys.stderr)
        return 2
    if not project:
        loaded.path = None  # the sample opens as an untitled copy, as on a first run
    window = MainWindow()
    window.resize(*size)
    window.files.autosaver.timer.stop()
    window.document.set_project(loaded)
    window.show()
    QApplication.processEvents()
    window.view.fit(readable=True)
    if select:
        try:
            window.select_node(window.document.network.find(select))
        except Exception as error:
            print(f"layerlab: {error}", file=sys.stderr)
    QApplication.processEvents()
    ok = window.grab().save(str(out), "PNG")
    window.document.undo_stack.setClean()
    window.close()
    window.deleteLater()
    if not ok:
        print(f"layerlab: cannot write the screenshot to '{out}'.", file=sys.stderr)
        return 2
    print(f"Wrote {out} ({size[0]}x{size[1]}).")
    return 0


def after_first_paint(widget, callback: Callable[[], None]) -> None:
    """Call `callback` from the event loop once `widget` has been painted for the first time."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                widget.removeEventFilter(self)
                self.deleteLater()
                QTimer.singleShot(0, callback)
            return False

    widget.installEventFilter(FirstPaint(widget))


def _when_shown(window) -> None:
    """The window is on screen: load torch in the background, then attach live training."""
    from PySide6.QtWidgets import QApplication

    if os.environ.get(STARTUP_PROBE):
        print(f"startup-probe monotonic={time.monotonic():.6f} wall={time.time():.6f} "
              f"torch={int('torch' in sys.modules)}", flush=True)
        QApplication.quit()
        return
    from gui.common.compute import warm_up

    warm_up(window.attach_training)
    window.files.offer_recovery()


def run_app(args: list[str]) -> int:
    """The `layerlab` desktop entry point (subcommands never reach here; see gui.launcher)."""
    try:
        options = _parser().parse_args(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if options.screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    problem = binding_problem()
    if problem:
        print(f"layerlab: warning: {problem}", file=sys.stderr)
    app = setup_application([sys.argv[0] if sys.argv else "layerlab"])
    if options.screenshot:
        try:
            width, height = (int(v) for v in options.size.lower().split("x"))
        except ValueError:
            print(f"layerlab: --size must look like 1600x1000, not '{options.size}'.", file=sys.stderr)
            return 2
        return take_screenshot(options.screenshot, options.project, (width, height), options.select)
    from PySide6.QtCore import QTimer

    from gui.shell.main_window import MainWindow

    window = MainWindow(attach_training=False)  # attached once torch has loaded (_when_shown)
    window.restore_window_state()
    window.open_startup_project(options.project)
    window.show()
    QTimer.singleShot(0, lambda: window.view.fit(readable=True))
    after_first_paint(window, lambda: _when_shown(window))
    return _leave(app.exec())


def _leave(code: int) -> int:
    """After the event loop: end the compute thread, or the process if the thread cannot end soon.

    The thread finishes its current job first. One inside a long call that cannot be interrupted (a
    torch kernel, a dataset being read) would keep a closed app burning CPU, and destroying a running
    QThread aborts the process; so after EXIT_WAIT_MS the process ends at once, streams flushed.
    Otherwise Python exits normally, without its last cycle collections: with torch loaded they scan
    millions of objects that are about to go anyway (measured: 1.9 s of a 2 s exit on a busy CPU)."""
    compute = sys.modules.get("gui.common.compute")
    if compute is not None and not compute.ComputeThread.shutdown(EXIT_WAIT_MS):
        compute.leave_now(code)
    gc.freeze()
    return code
