"""The views' refresh schedule: one view per tick while a run goes on, in turn, within the GUI
thread's CPU share, and no view's new data waits longer than LONGEST_WAIT_S."""

from __future__ import annotations

from gui.plots.schedule import LONGEST_WAIT_S, MAX_CREDIT_S, REFRESH_BUDGET_S, RefreshSchedule


class FakeView:
    def __init__(self, name: str, visible: bool = True, cost: float = 0.0, clock=None) -> None:
        self.name, self.visible, self.cost, self.clock = name, visible, cost, clock
        self.dirty = False
        self.drawn = 0

    def isVisible(self) -> bool:  # noqa: N802
        return self.visible

    def refresh(self) -> bool:
        if not self.dirty:
            return False
        self.dirty = False
        self.drawn += 1
        if self.clock is not None:
            self.clock.wall += self.cost
            self.clock.cpu += self.cost
        return True


class Clock:
    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def advance(self, seconds: float, cpu: float = 0.0) -> None:
        self.wall += seconds
        self.cpu += cpu


def schedule_of(*views, clock=None):
    clock = clock or Clock()
    return RefreshSchedule(views, clock=lambda: clock.wall, cpu_clock=lambda: clock.cpu), clock


def test_while_running_one_changed_view_redraws_per_tick_in_turn():
    views = [FakeView(n) for n in "abcd"]
    schedule, clock = schedule_of(*views)
    for view in views:
        view.dirty = True
    views[1].visible = False  # hidden views wait until they are shown
    drawn = []
    for _ in range(5):
        clock.advance(0.1)
        drawn.append([v.name for v in schedule.tick(running=True)])
    assert drawn == [["a"], ["c"], ["d"], [], []]
    views[0].dirty = views[3].dirty = True
    clock.advance(0.1)
    assert [v.name for v in schedule.tick(running=True)] == ["a"]
    clock.advance(0.1)
    assert [v.name for v in schedule.tick(running=True)] == ["d"]  # after a, in turn


def test_turns_wait_while_the_gui_thread_is_over_its_share_but_never_longer_than_the_longest_wait():
    views = [FakeView(n) for n in "ab"]
    schedule, clock = schedule_of(*views)
    clock.advance(0.1)
    schedule.tick(running=True)  # both known up to date now
    clock.advance(0.1, cpu=MAX_CREDIT_S + 0.2)  # the thread used far more than its share
    views[0].dirty = True
    waited = 0.0
    while not schedule.tick(running=True):
        clock.advance(0.1)
        waited += 0.1
        assert waited <= LONGEST_WAIT_S + 0.25
    assert waited >= LONGEST_WAIT_S - 0.25  # it did wait for the credit (or the longest wait)


def test_views_that_waited_longest_go_first():
    views = [FakeView(n) for n in "abc"]
    schedule, clock = schedule_of(*views)
    clock.advance(0.1)
    schedule.tick(running=True)  # all up to date at 0.1
    clock.advance(0.5)
    views[1].visible = views[2].visible = False
    views[0].dirty = True
    assert schedule.tick(running=True) == [views[0]]  # a up to date at 0.6, b and c still at 0.1
    views[1].visible = views[2].visible = True
    clock.advance(1.4, cpu=1.0)  # out of credit from now on; all three have waited over a second
    for view in views:
        view.dirty = True
    order = []
    for _ in range(30):
        order += [v.name for v in schedule.tick(running=True)]
        clock.advance(0.1, cpu=0.01)
    assert order == ["b", "c", "a"]  # each once, the longest waiting first; the rest waits for credit


def test_paused_a_tick_redraws_every_changed_view_within_the_budget():
    clock = Clock()
    views = [FakeView(n, cost=REFRESH_BUDGET_S * 0.6, clock=clock) for n in "abcd"]
    schedule, _ = schedule_of(*views, clock=clock)
    for view in views:
        view.dirty = True
    assert [v.name for v in schedule.tick(running=False)] == ["a", "b"]  # the budget is spent after b
    assert [v.name for v in schedule.tick(running=False)] == ["c", "d"]  # goes on where it stopped
    assert schedule.tick(running=False) == []
