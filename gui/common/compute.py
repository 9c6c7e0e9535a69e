"""One long-lived compute thread for all of the GUI's PyTorch work: dataset previews,
training runs, evaluations, gradient checks, exports.

Why one thread: each thread that runs PyTorch CPU kernels gets its own OpenMP worker pool. When
a second pool stays alive (a thread-pool thread that once loaded a preview, or the GUI thread),
OpenMP counts more busy threads than cores and stops spinning between kernels, which made a
windowed training run about 1.6x slower than the same run headless on 2 cores. Keeping every
torch call on this thread (and none on the GUI thread) keeps one pool.

Thread rules kept here: jobs are plain callables; no QObject is ever created, held last or
destroyed on the compute thread. Results come back through `_Bridge`, which lives on the GUI
thread for the whole session, as queued signals carrying plain Python values. Python's cycle
collector runs in whichever thread happens to allocate; run on the compute thread it would
destroy Qt objects there and crash, so automatic collection is switched off and pyqtgraph's
GarbageCollector collects on the GUI thread twice a second instead.

Start-up: `warm_up` imports torch and the engine's training modules here, right after the window
is shown, so the window appears without waiting seconds for torch and no torch import happens on
the GUI thread. At exit the thread finishes its job; one stuck in a long torch call ends the
process instead (`leave_now`), because destroying a running QThread aborts it.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import importlib
import itertools
import os
import sys
from collections.abc import Callable
from typing import Any

import shiboken6
from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QObject, QThread, Signal, Slot


class _Bridge(QObject):
    """GUI-thread end of the compute thread: its signals are emitted there and delivered here."""

    done = Signal(int, object)
    failed = Signal(int, str)
    posted = Signal(object, object)  # (callback, value): call callback(value) on the GUI thread

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(lambda callback, value: callback(value))


class _Executor(QObject):
    """Lives on the compute thread and runs the jobs it is sent, one at a time, in order."""

    submitted = Signal(int, object)

    def __init__(self, bridge: _Bridge) -> None:
        super().__init__()
        self.bridge = bridge
        self.closing = False  # set from the GUI thread at exit: the jobs still queued are dropped
        self.submitted.connect(self._run)

    @Slot(int, object)
    def _run(self, job_id: int, fn: Callable[[], Any]) -> None:
        if self.closing:
            return
        try:
            result = fn()
        except Exception as error:
            self.bridge.failed.emit(job_id, str(error) or type(error).__name__)
        else:
            self.bridge.done.emit(job_id, result)


def _share_the_main_malloc_arena() -> None:
    """glibc gives each new thread its own malloc arena, which hands freed tensor memory back to
    the system eagerly; the compute thread then pays page faults on every batch (measured: 1.13x
    the main thread's training time). One arena, as the main thread uses, removes that."""
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(M_ARENA_MAX, 1)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


M_ARENA_MAX = -8


class ComputeThread:
    _instance: ComputeThread | None = None

    def __init__(self) -> None:
        _share_the_main_malloc_arena()
        self.collector = GarbageCollector(interval=0.5)
        gc.collect()  # on the GUI thread, before anything runs elsewhere
        gc.freeze()  # the modules and widgets made so far live for the session: keep them out of scans
        self.bridge = _Bridge()
        self.thread = QThread()
        self.thread.setObjectName("layerlab-compute")
        self.executor = _Executor(self.bridge)
        self.executor.moveToThread(self.thread)
        self.thread.start()
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Callable, Callable, QObject | None]] = {}
        self.bridge.done.connect(lambda job_id, value: self._finish(job_id, 0, value))
        self.bridge.failed.connect(lambda job_id, message: self._finish(job_id, 1, message))

    @classmethod
    def instance(cls) -> ComputeThread:
        if cls._instance is None:
            cls._instance = ComputeThread()
            atexit.register(_shutdown_at_exit)
        return cls._instance

    @classmethod
    def shutdown(cls, timeout_ms: int = 5000) -> bool:
        """End the thread once its running job is done (jobs still queued are dropped), waiting at
        most `timeout_ms`. False if the job is still running then: the thread must not be destroyed."""
        if cls._instance is None:
            return True
        cls._instance.executor.closing = True
        cls._instance.thread.quit()
        if not cls._instance.thread.wait(timeout_ms):
            return False
        cls._instance = None
        return True

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None, owner: QObject | None = None) -> None:
        job_id = next(self._ids)
        self._pending[job_id] = (on_done or _ignore, on_error or _ignore, owner)
        self.executor.submitted.emit(job_id, fn)

    def _finish(self, job_id: int, which: int, value: Any) -> None:
        callbacks = self._pending.pop(job_id, None)
        if callbacks is None:
            return
        owner = callbacks[2]
        if owner is None or shiboken6.isValid(owner):
            callbacks[which](value)


def _ignore(_: Any) -> None:
    pass


def _shutdown_at_exit() -> None:
    if not ComputeThread.shutdown():
        print("layerlab: the compute thread is still busy; ending the process without it.", file=sys.stderr)
        leave_now(1)


def leave_now(code: int) -> None:
    """End the process at once (a last resort while the compute thread is inside a long call):
    the standard streams are flushed; nothing else is torn down."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(code)


WARM_UP_MODULES = ("torch", "engine.compiler", "engine.training.trainer", "engine.training.gradcheck",
                   "engine.predictions", "engine.export.source", "engine.flow", "engine.submodels")
"""What live training needs from torch and the engine: imported on the compute thread at start-up."""


def warm_up(on_ready: Callable[[], None], on_error: Callable[[str], None] | None = None) -> None:
    """Import torch and the engine's training modules on the compute thread (seconds), then call
    `on_ready()` on the GUI thread; the window stays responsive meanwhile. On failure (a broken
    PyTorch install) `on_error(message)` is called instead, or the message goes to stderr."""

    def load() -> None:
        for name in WARM_UP_MODULES:
            importlib.import_module(name)

    def failed(message: str) -> None:
        if on_error is not None:
            on_error(message)
        else:
            print(f"layerlab: cannot load PyTorch, so training is unavailable: {message}", file=sys.stderr)

    def loaded(_: Any) -> None:
        gc.freeze()  # torch's modules live for the session as well: keep them out of the collector's scans
        on_ready()

    ComputeThread.instance().submit(load, loaded, failed)


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[str], None], owner: QObject | None = None) -> None:
    """Call `fn()` on the compute thread, then `on_done(result)` or `on_error(message)` on the GUI
    thread, unless `owner` (the widget that shows the result) has been destroyed meanwhile."""
    ComputeThread.instance().submit(fn, on_done, on_error, owner)


def run_on_compute_thread(fn: Callable[[], Any]) -> None:
    """Queue `fn` on the compute thread; it reports through `post_to_gui`."""
    ComputeThread.instance().submit(fn)


def post_to_gui(callback: Callable[[Any], None], value: Any) -> None:
    """From the compute thread: call `callback(value)` on the GUI thread (queued)."""
    ComputeThread.instance().bridge.posted.emit(callback, value)
