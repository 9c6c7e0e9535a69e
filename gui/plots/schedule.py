"""Which training views redraw on a tick of the views' timer, so that drawing never holds the
event loop for long nor takes the cores from a run: while a run goes on, one view per tick."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Protocol

REFRESH_BUDGET_S = 0.008
CPU_SHARE = 0.04
"""While a run goes on, the GUI thread may use this share of a core for drawing: a view whose turn
it is waits while the thread has used more (redrawing, painting, anything), so the trainer keeps
the cores."""
MAX_CREDIT_S = 0.05
LONGEST_WAIT_S = 1.0
"""However busy the thread, a visible view's new data is drawn after this long (or, when several
views waited as long, one tick later for each view before it)."""


class View(Protocol):
    def isVisible(self) -> bool: ...  # noqa: N802 - Qt's name

    def refresh(self) -> bool:
        """Redraw from new data; False when there was nothing new (and nothing was drawn)."""


class RefreshSchedule:
    """`tick(running)` redraws some of `views` and returns those that redrew.

    While a run goes on a tick redraws at most one view, so each frame paints one view and the
    event loop never waits for several paints in a row: the views take turns (among those with
    new data), a turn waits while the GUI thread is over its CPU share, and a view whose new data
    has waited LONGEST_WAIT_S goes first, whatever the share. Otherwise (before a run, paused,
    ended) a tick redraws every visible view with new data, in turn, until REFRESH_BUDGET_S has
    passed; the next tick goes on where it stopped."""

    def __init__(self, views: Sequence[View], clock: Callable[[], float] = time.perf_counter,
                 cpu_clock: Callable[[], float] = time.thread_time) -> None:
        self.views = list(views)
        self.clock, self.cpu_clock = clock, cpu_clock
        self.credit = MAX_CREDIT_S
        self._then = (clock(), cpu_clock())
        self._next = 0  # whose turn it is
        self._fresh: dict[int, float] = {}  # view index -> when it was last known up to date

    def tick(self, running: bool) -> list[View]:
        now, cpu = self.clock(), self.cpu_clock()
        earned = CPU_SHARE * (now - self._then[0]) - (cpu - self._then[1])
        self.credit = min(MAX_CREDIT_S, self.credit + earned)
        self._then = (now, cpu)
        visible = [i for i, view in enumerate(self.views) if view.isVisible()]
        if not running:
            return self._sweep(visible, now)
        waited = sorted((i for i in visible if now - self._fresh.get(i, -math.inf) > LONGEST_WAIT_S),
                        key=lambda i: self._fresh.get(i, -math.inf))
        turns = [i for i in self._in_turn(visible) if i not in waited] if self.credit >= 0 else []
        for index in waited + turns:
            drew = self.views[index].refresh()
            self._fresh[index] = now
            if drew:
                self._next = (index + 1) % len(self.views)
                return [self.views[index]]
        return []

    def _in_turn(self, visible: list[int]) -> list[int]:
        count = len(self.views)
        return sorted(visible, key=lambda i: (i - self._next) % count)

    def _sweep(self, visible: list[int], started: float) -> list[View]:
        drawn = []
        for index in self._in_turn(visible):
            if self.views[index].refresh():
                drawn.append(self.views[index])
            self._fresh[index] = started
            if self.clock() - started > REFRESH_BUDGET_S:
                self._next = (index + 1) % len(self.views)
                break
        return drawn
