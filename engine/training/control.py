"""Thread-safe run control: pause, resume, stop, abort, single steps, lr and probe changes, honoured by
the trainer between steps. Call these from any thread (the GUI's) while the run goes on in another.
A Trainer is given its Control when it is made (`Trainer(project, control=...)`), so whoever steers a
run can hold the Control before the trainer exists; the trainer reads it only through these methods."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Control:
    def __init__(self) -> None:
        self._cv = threading.Condition()
        self.pending = False  # read without the lock in the hot loop: any request sets it
        self.paused = False
        self.stop_requested = False
        self.aborted = False
        self.single_steps = 0
        self.new_lr: float | None = None
        self.new_probe_every: int | None = None
        self.probe_now = False
        # Scheduled probes come at most this often (seconds); set before the run (the window: its
        # views need about one a second, and each probe costs the training a few milliseconds).
        self.probe_min_seconds = 0.0
        self._calls: list[Callable[[], None]] = []

    def _set(self, **changes) -> None:
        with self._cv:
            for key, value in changes.items():
                setattr(self, key, value)
            self.pending = True
            self._cv.notify_all()

    def pause(self) -> None:
        self._set(paused=True)

    def resume(self) -> None:
        self._set(paused=False, single_steps=0)

    def stop(self) -> None:
        """End the run after the current step; the final evaluation still runs."""
        self._set(stop_requested=True)

    def abort(self) -> None:
        """End the run at once (the app is closing): an evaluation in progress is abandoned between
        batches and the final evaluation is skipped; the run ends with Stopped('aborted')."""
        self._set(stop_requested=True, aborted=True)

    def step_once(self) -> None:
        """While paused: take one more batch, then pause again."""
        with self._cv:
            self.single_steps += 1
            self.pending = True
            self._cv.notify_all()

    def set_lr(self, lr: float) -> None:
        self._set(new_lr=float(lr))

    def set_probe_every(self, steps: int) -> None:
        self._set(new_probe_every=int(steps))

    def request_probe(self) -> None:
        self._set(probe_now=True)

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run `fn()` on the training thread between two steps (or while paused): work that needs
        that thread (the window's Play panel, while a run has it). `fn` handles its own errors."""
        with self._cv:
            self._calls.append(fn)
            self.pending = True
            self._cv.notify_all()

    def take_calls(self) -> list[Callable[[], None]]:
        with self._cv:
            calls, self._calls = self._calls, []
            return calls

    def wait_while_paused(self, timeout: float = 0.2) -> None:
        """Block (the training thread) until resumed, stopped, asked for a step, a probe, a change or
        a call."""
        with self._cv:
            while (self.paused and not self.stop_requested and self.single_steps == 0 and not self.probe_now
                   and self.new_lr is None and self.new_probe_every is None and not self._calls):
                self._cv.wait(timeout)

    def take_single_step(self) -> bool:
        """While paused: consume one requested single step, if there is one."""
        with self._cv:
            if self.single_steps <= 0:
                return False
            self.single_steps -= 1
            return True

    def take(self) -> tuple[float | None, int | None, bool]:
        """Consume one-off requests: (new lr, new probe interval, probe now)."""
        with self._cv:
            taken = (self.new_lr, self.new_probe_every, self.probe_now)
            self.new_lr, self.new_probe_every, self.probe_now = None, None, False
            self.pending = self.paused or self.stop_requested or self.single_steps > 0 or bool(self._calls)
            return taken
