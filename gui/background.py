"""Run a short job (a dataset preview, an evaluation, a gradient check) off the GUI thread and get
its result back on the GUI thread through a queued signal."""

from __future__ import annotations

from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_alive: set["_Relay"] = set()


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn, self.relay = fn, relay

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as error:  # noqa: BLE001 - reported to the GUI as a message
            self.relay.failed.emit(str(error) or type(error).__name__)
        else:
            self.relay.done.emit(result)


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[str], None], owner: QObject | None = None) -> None:
    """Call `fn()` on a pool thread, then `on_done(result)` or `on_error(message)` on the GUI
    thread, unless `owner` (the widget that shows the result) has been destroyed meanwhile."""
    relay = _Relay()
    _alive.add(relay)

    def finish(callback: Callable, value: Any) -> None:
        _alive.discard(relay)
        if owner is None or shiboken6.isValid(owner):
            callback(value)

    relay.done.connect(lambda value: finish(on_done, value))
    relay.failed.connect(lambda message: finish(on_error, message))
    QThreadPool.globalInstance().start(_Job(fn, relay))


def wait_for_background(timeout_ms: int = 5000) -> bool:
    """Wait for running jobs (tests, shutdown)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
