"""Room for the views: a run gives the Views dock at least half the window; editing the network
afterwards brings the editing layout back."""

from __future__ import annotations

import pytest

from gui.document.commands import SetParamCommand
from tests.gui.training.test_live_training import spiral_window, wait_state


@pytest.fixture(autouse=True)
def runs_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_RUNS", str(tmp_path / "runs"))


def test_a_run_gives_the_views_half_the_window_and_editing_gives_it_back(qtbot, make_window):
    window = spiral_window(make_window, epochs=2)
    window.resize(1280, 800)
    qtbot.wait(50)
    views, summary = window.docks["Views"], window.docks["Summary"]
    assert views.visibleRegion().isEmpty()  # the Summary is in front while editing
    before = summary.height()
    window.training.start()
    qtbot.waitUntil(lambda: window.act_training_layout.isChecked(), timeout=5000)
    qtbot.waitUntil(lambda: views.height() >= window.height() * 0.5, timeout=5000)
    assert not views.visibleRegion().isEmpty()  # in front of the Summary
    wait_state(qtbot, window, "finished")
    assert views.height() >= window.height() * 0.5  # the results keep the room after the run
    net = window.document.network
    dense = net.nodes_of_type("Dense")[0]
    window.document.execute(SetParamCommand(net, dense, "units", 20))
    qtbot.waitUntil(lambda: not window.act_training_layout.isChecked(), timeout=5000)
    qtbot.waitUntil(lambda: views.visibleRegion().isEmpty(), timeout=5000)  # the editing panels are back
    assert abs(summary.height() - before) < 10
