"""The Runs panel on real-format run directories: listing, filtering, tags, the overlay and
trade-off charts, comparing two runs, deleting (asked) and Undo Delete, opening a run's network."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui.common import dialogs
from gui.runs.compare_dialog import comparison_html
from gui.runs.table import TAGS
from tests.engine.runs.helpers import mlp_project, write_run


def _panel(make_window, tmp_path, monkeypatch):
    folder = tmp_path / "runs"
    monkeypatch.setenv("LAYERLAB_RUNS", str(folder))
    write_run(folder, "small", project=mlp_project(16, lr=0.1), started=1.7e9)
    write_run(folder, "wide", project=mlp_project(64, lr=0.01), started=1.7e9 + 60, tags=["baseline"])
    write_run(folder, "deep", project=mlp_project(16, extra_layer=True, lr=0.01), started=1.7e9 + 120)
    write_run(folder, "killed", started=1.7e9 + 180, complete=False)
    window = make_window()
    window.attach_training()
    return window, window.runs


def test_the_panel_lists_filters_and_tags_runs(make_window, tmp_path, monkeypatch) -> None:
    window, panel = _panel(make_window, tmp_path, monkeypatch)
    assert panel.model.rowCount() == 4 and panel.count_label.text() == "4 runs"
    assert [e.id for e in panel.shown_entries()][:3] == ["killed", "deep", "wide"]  # newest first
    assert {e.id: e.status for e in panel.shown_entries()}["killed"] != "complete"
    panel.filter_edit.setText("baseline")
    assert [e.id for e in panel.shown_entries()] == ["wide"] and panel.count_label.text() == "1 of 4 runs"
    panel.filter_edit.setText("")
    row = next(r for r in range(panel.proxy.rowCount()) if panel.shown_entries()[r].id == "small")
    panel.proxy.setData(panel.proxy.index(row, TAGS), "best, lr-sweep", Qt.ItemDataRole.EditRole)
    panel.refresh()
    assert next(e for e in panel.shown_entries() if e.id == "small").tags == {"best", "lr-sweep"}


def test_overlay_trade_off_and_comparison(make_window, tmp_path, monkeypatch) -> None:
    window, panel = _panel(make_window, tmp_path, monkeypatch)
    panel.select_ids(["small", "wide"])
    assert [e.id for e in panel.selected_entries()] == ["wide", "small"]  # in the table's order: newest first
    assert panel.buttons["compare"].isEnabled()
    charts = panel.charts
    assert "2 of 2 selected runs" in charts.note.text()  # both have per-epoch validation accuracy
    charts.mode.setCurrentIndex(1)
    assert charts.front and "on the front" in charts.note.text()
    a, b = panel.selected_entries()
    text = comparison_html(a, b)
    assert "training.lr" in text and "<b>hidden1</b>: units 64 → 16" in text


def test_delete_asks_and_undo_brings_the_run_back_and_open_loads_its_network(make_window, tmp_path,
                                                                            monkeypatch) -> None:
    window, panel = _panel(make_window, tmp_path, monkeypatch)
    asked = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *args: asked.append(args) or False)
    panel.select_ids(["deep"])
    panel.delete_selected()
    assert asked and panel.model.rowCount() == 4  # answered no: nothing deleted
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *args: True)
    panel.delete_selected()
    assert panel.model.rowCount() == 3 and not (tmp_path / "runs" / "deep").exists()
    panel.undo_delete()
    assert panel.model.rowCount() == 4 and (tmp_path / "runs" / "deep").is_dir()
    panel.select_ids(["deep"])
    panel.open_selected()
    assert window.document.network.find("hidden2") and window.document.path is None
    assert window.training.trained_run_dir() == tmp_path / "runs" / "deep"  # Export starts from its weights


def test_a_sweep_from_the_window_records_each_trial_in_the_panel(make_window, tmp_path, monkeypatch, qtbot) -> None:
    import pytest

    pytest.importorskip("optuna")
    from gui.shell.runs_wiring import show_sweep

    window, panel = _panel(make_window, tmp_path, monkeypatch)
    project = mlp_project(8, epochs=1, batch_size=64)
    project.dataset.update({"subset": 128, "validation_split": 0.25, "test_subset": 64})
    window.document.set_project(project)
    dialog = show_sweep(window, panel)
    dialog.space_edit.setPlainText('{"training.lr": {"log_uniform": [0.001, 0.1]}, "hiden1.units": {"int": [4, 8]}}')
    assert not dialog.start() and "Did you mean 'hidden1'" in dialog.status.text()
    dialog.space_edit.setPlainText('{"training.lr": {"log_uniform": [0.001, 0.1]}, "hidden1.units": {"int": [4, 8]}}')
    dialog.trials.setValue(2)
    dialog.sampler.setCurrentText("random")
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.running and dialog.result is not None, timeout=180_000)
    assert len(dialog.done) == 2 and panel.model.rowCount() == 4 + 2
    assert any("best" in e.tags for e in panel.shown_entries())
