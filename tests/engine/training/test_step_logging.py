"""StepRecords come densely at the start of a run (a chart has points within the first second)
and ever more sparsely later; `log_every` still sets the pace of long runs."""

import time

from engine.training import Started, StepRecord, Trainer
from engine.training.trainer import LOG_FRACTION, LOG_SECONDS
from tests.engine.training.helpers import mnist_conv_project

TRAIN_SECONDS = 5.0


def test_the_first_step_record_comes_within_a_second_and_records_thin_out_later():
    trainer = Trainer(mnist_conv_project(subset=2048, epochs=1000, batch_size=32, log_every=10**6,
                                         checkpoint_every=0))
    steps, started_at, first_at = [], None, None
    for record in trainer.run():
        if isinstance(record, Started):
            started_at = time.monotonic()
        elif isinstance(record, StepRecord):
            first_at = first_at or time.monotonic()
            steps.append(record)
            if record.train_seconds >= TRAIN_SECONDS:
                trainer.stop()
    assert steps[0].step == 1 and first_at - started_at < 1.0
    times = [r.train_seconds for r in steps]
    for before, after in zip(times, times[1:]):  # log_every is out of reach: only the time rule logs
        assert after - before >= max(LOG_SECONDS, LOG_FRACTION * before) - 1e-6, times
    early = sum(t < 2.0 for t in times)
    late = sum(3.0 <= t < 5.0 for t in times)
    assert early >= 6 and late < early, times  # ~8 in the first 2 s of training, ~5 in the 2 s from 3 s
    assert len(times) <= 1 + 2.5 / LOG_SECONDS + 12, times


def test_log_every_and_the_first_step_both_log():
    trainer = Trainer(mnist_conv_project(subset=512, epochs=1, batch_size=32, log_every=4))
    steps = [r.step for r in trainer.run() if isinstance(r, StepRecord)]
    assert steps[0] == 1 and {4, 8, 12} <= set(steps)  # 384 training samples: 12 steps
