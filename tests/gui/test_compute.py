"""The compute thread at exit: the running job may finish, queued jobs are dropped, and a job that
does not finish in time leaves the thread running (never destroyed while it runs)."""

from __future__ import annotations

import threading

from gui.common.compute import ComputeThread


def test_shutdown_lets_the_running_job_finish_and_drops_the_queued_ones(qtbot) -> None:
    compute = ComputeThread.instance()
    started, gate, ran = threading.Event(), threading.Event(), []
    compute.submit(lambda: (started.set(), gate.wait(10), ran.append("running")))
    compute.submit(lambda: ran.append("queued"))
    assert started.wait(10)
    assert not ComputeThread.shutdown(100)  # still inside the first job: not ended, not destroyed
    gate.set()
    assert ComputeThread.shutdown(10_000)
    assert ran == ["running"]
    assert ComputeThread.instance() is not compute  # a later job gets a fresh thread
