"""The app's run directories: complete, or marked INCOMPLETE when the writing was cut short."""

import pytest

from engine.compiler import compile_network
from engine.export.source import RUN_INCOMPLETE, RUN_PROJECT, RUN_WEIGHTS, load_source, save_run_dir
from engine.project import load_project
from tests.conftest import ROOT

LENET = ROOT / "sample_projects" / "lenet5.layerlab"


def test_a_finished_write_leaves_no_marker(tmp_path):
    project = load_project(LENET)
    run = save_run_dir(project, compile_network(project.network).state_dict(), tmp_path / "run")
    assert sorted(p.name for p in run.iterdir()) == [RUN_PROJECT, "summary.json", RUN_WEIGHTS]
    assert load_source(run).run_dir == run


def test_imported_weights_are_a_run_that_opens_plays_and_lists(tmp_path):
    """Weights that were not trained here (an import, a weights file) make a run like any other."""
    from engine.run_dir import read_run
    from engine.runs.index import RunIndex

    project = load_project(LENET)
    run = save_run_dir(project, compile_network(project.network).state_dict(), tmp_path / "runs" / "lenet",
                       origin="weights file lenet.pth")
    assert read_run(run).summary == {"stopped_reason": "imported", "origin": "weights file lenet.pth",
                                     "parameters": 61_706}
    read_run(run).model()
    index = RunIndex(tmp_path / "runs")
    index.refresh()
    (entry,) = index.entries()
    assert entry.status == "complete" and entry.stop_reason == "imported" and entry.params == 61_706


def test_a_write_cut_short_is_marked_incomplete(tmp_path, monkeypatch):
    project = load_project(LENET)
    tensors = compile_network(project.network).state_dict()

    def cut(*_):
        raise KeyboardInterrupt  # as if the process ended here

    monkeypatch.setattr(type(project), "save", cut)
    with pytest.raises(KeyboardInterrupt):
        save_run_dir(project, tensors, tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [RUN_INCOMPLETE, RUN_WEIGHTS]  # no summary
    assert "still being written" in (tmp_path / "run" / RUN_INCOMPLETE).read_text()
