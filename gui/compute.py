"""One long-lived compute thread for all of the GUI's PyTorch work: dataset previews,
training runs, evaluations, gradient checks.

Why one thread: each thread that runs PyTorch CPU kernels gets its own OpenMP worker pool. When
a second pool stays alive (a thread-pool thread that once loaded a preview, or the GUI thread),
OpenMP counts more busy threads than cores and stops spinning between kernels, which made a
windowed training run about 1.6x slower than the same run headless on 2 cores. Keeping every
torch call on this thread (and none on the GUI thread) keeps one pool.
"""

from __future__ import annotations

import atexit
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot


class _Relay(QObject):
    """Lives on the GUI thread; its signals bring a job's result back there."""

    done = Signal(object)
    failed = Signal(str)


class _Executor(QObject):
    """Lives on the compute thread and runs the jobs it is sent, one at a time, in order."""

    submitted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.submitted.connect(self._run)

    @Slot(object)
    def _run(self, item: tuple[Callable[[], Any], _Relay | None]) -> None:
        fn, relay = item
        try:
            result = fn()
        except Exception as error:  # noqa: BLE001 - reported to the GUI as a message
            if relay is not None:
                relay.failed.emit(str(error) or type(error).__name__)
        else:
            if relay is not None:
                relay.done.emit(result)


class ComputeThread:
    _instance: "ComputeThread | None" = None

    def __init__(self) -> None:
        self.thread = QThread()
        self.thread.setObjectName("layerlab-compute")
        self.executor = _Executor()
        self.executor.moveToThread(self.thread)
        self.thread.start()
        self._relays: set[_Relay] = set()

    @classmethod
    def instance(cls) -> "ComputeThread":
        if cls._instance is None:
            cls._instance = ComputeThread()
            atexit.register(cls.shutdown)
        return cls._instance

    @classmethod
    def shutdown(cls, timeout_ms: int = 5000) -> None:
        """Finish the running job and end the thread (at exit)."""
        if cls._instance is not None:
            cls._instance.thread.quit()
            cls._instance.thread.wait(timeout_ms)
            cls._instance = None

    def submit(self, fn: Callable[[], Any], relay: _Relay | None = None) -> None:
        self.executor.submitted.emit((fn, relay))


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[str], None], owner: QObject | None = None) -> None:
    """Call `fn()` on the compute thread, then `on_done(result)` or `on_error(message)` on the GUI
    thread, unless `owner` (the widget that shows the result) has been destroyed meanwhile."""
    compute = ComputeThread.instance()
    relay = _Relay()
    compute._relays.add(relay)

    def finish(callback: Callable, value: Any) -> None:
        compute._relays.discard(relay)
        if owner is None or shiboken6.isValid(owner):
            callback(value)

    relay.done.connect(lambda value: finish(on_done, value))
    relay.failed.connect(lambda message: finish(on_error, message))
    compute.submit(fn, relay)


def run_on_compute_thread(fn: Callable[[], Any]) -> None:
    """Queue `fn` (which reports through its own signals) on the compute thread."""
    ComputeThread.instance().submit(fn)
