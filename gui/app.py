"""Start the desktop app: `layerlab`, `layerlab PROJECT`, `layerlab --screenshot OUT.png [PROJECT]`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SCREENSHOT_SIZE = (1600, 1000)


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


def setup_application(argv: list[str] | None = None):
    """The QApplication, with LayerLab's names, style and fonts (created if there is none yet)."""
    from PySide6.QtWidgets import QApplication

    from gui import settings, style

    app = QApplication.instance() or QApplication(argv or ["layerlab"])
    app.setOrganizationName(settings.ORGANIZATION)
    app.setApplicationName(settings.APPLICATION)
    app.setStyle("Fusion")
    app.setFont(style.font(9.5))
    app.setStyleSheet(style.APP_STYLESHEET)
    return app


def take_screenshot(out: str | Path, project: str | None, size: tuple[int, int], select: str | None = None) -> int:
    """Render the main window offscreen with `project` (or the first-run sample) and save a PNG."""
    from PySide6.QtWidgets import QApplication

    from gui import settings
    from gui.main_window import MainWindow

    window = MainWindow()
    window.resize(*size)
    window.files.autosaver.timer.stop()
    shown = window.files.open_path(project, ask=False) if project else \
        window.files.open_path(settings.FIRST_RUN_SAMPLE, ask=False, as_copy=True)
    window.show()
    QApplication.processEvents()
    window.view.fit(readable=True)
    if select:
        try:
            window.select_node(window.document.network.find(select))
        except Exception as error:  # noqa: BLE001 - report any lookup problem plainly
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
    return 0 if shown else 2


def run_app(args: list[str]) -> int:
    """The `layerlab` desktop entry point (subcommands never reach here; see gui.launcher)."""
    try:
        options = _parser().parse_args(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if options.screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
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

    from gui.main_window import MainWindow

    window = MainWindow()
    window.restore_window_state()
    window.open_startup_project(options.project)
    window.show()
    QTimer.singleShot(0, lambda: window.view.fit(readable=True))
    QTimer.singleShot(50, window.files.offer_recovery)
    return app.exec()
