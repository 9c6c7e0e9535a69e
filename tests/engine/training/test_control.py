"""A Trainer is given its Control when it is made: whoever steers the run holds the Control first."""

from __future__ import annotations

import threading

from engine.training import records as R
from engine.training.control import Control
from engine.training.trainer import Trainer
from tests.engine.training.helpers import spiral_project


def test_the_trainer_obeys_the_control_it_was_given():
    control = Control()
    control.pause()  # before the trainer exists
    control.step_once()
    trainer = Trainer(spiral_project(samples=120, epochs=1), control=control)
    assert trainer.control is control
    seen: list = []
    for record in trainer.run():
        seen.append(record)
        if isinstance(record, R.Paused):
            control.stop()
    steps = [r for r in seen if isinstance(r, R.StepRecord)]
    assert [r.step for r in steps] == [1]  # one single step, then the pause, then the stop
    assert isinstance(seen[-1], R.Stopped) and seen[-1].reason == "stopped" and seen[-1].step == 1


def test_single_steps_are_taken_one_at_a_time():
    control = Control()
    assert not control.take_single_step()
    control.step_once()
    control.step_once()
    assert control.take_single_step() and control.take_single_step() and not control.take_single_step()


def test_a_paused_run_waits_until_the_control_resumes_it():
    control = Control()
    control.pause()
    trainer = Trainer(spiral_project(samples=120, epochs=1), control=control)
    records = trainer.run()
    paused = next(r for r in records if isinstance(r, R.Paused))
    assert paused.step == 0
    timer = threading.Timer(0.2, control.resume)  # from another thread, as the app does
    timer.start()
    try:
        rest = list(records)  # returns once resumed: the run goes to its end
    finally:
        timer.cancel()
    assert isinstance(rest[-1], R.Finished)


def test_scheduled_probes_come_at_most_as_often_as_the_control_allows():
    """probe_min_seconds thins the scheduled probes (the window asks for about one a second);
    with 0 (the CLI) every probe_every-th step is probed."""
    counts = {}
    for seconds in (0.0, 3600.0):
        control = Control()
        control.probe_min_seconds = seconds
        records = list(Trainer(spiral_project(probe_every=1, epochs=1), control=control).run())
        counts[seconds] = sum(isinstance(r, R.ProbeRecord) for r in records)
    assert counts[3600.0] == 1 and counts[0.0] > 3


def test_calls_run_on_the_training_thread_between_steps_and_while_paused():
    import threading

    from engine.training import Trainer
    from engine.training import records as R
    from tests.engine.training.helpers import spiral_project

    control = Control()
    trainer = Trainer(spiral_project(epochs=2), control=control)
    ran: list[tuple[str, int]] = []
    for record in trainer.run():
        if isinstance(record, R.StepRecord) and record.step == 2:
            control.call_soon(lambda: ran.append((threading.current_thread().name, trainer.step)))
            control.pause()
        elif isinstance(record, R.Paused):
            control.call_soon(lambda: ran.append(("paused", trainer.step)))
            threading.Timer(0.3, control.resume).start()
    assert [step for _, step in ran] == [2, 2]  # before the third step, and while paused there
    assert ran[0][0] == threading.current_thread().name  # the thread that runs the trainer
