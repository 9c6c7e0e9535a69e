"""RunIndex: the runs folder listed through SQLite, rebuilt from the directories, damaged ones
listed with the reason, tags and notes kept in the run directories, delete to the trash and back."""

import json
import os
import sqlite3

import pytest

from engine.run_dir import INCOMPLETE, METRICS, PROJECT, SUMMARY
from engine.runs.entry import read_entry
from engine.runs.folder import INDEX_FILE, TRASH
from engine.runs.index import RunIndex, UnknownRunError
from tests.engine.runs.helpers import mlp_project, write_run


@pytest.fixture
def folder(tmp_path):
    for i in range(5):
        write_run(tmp_path, f"run-{i}", started=1.7e9 + i, tags=["even"] if i % 2 == 0 else None)
    return tmp_path


def test_listing_is_newest_first_and_rebuild_equals_the_directories(folder):
    index = RunIndex(folder)
    listed = index.entries()
    assert [e.id for e in listed] == [f"run-{i}" for i in reversed(range(5))]
    assert listed == [read_entry(folder / e.id) for e in listed]
    (folder / INDEX_FILE).unlink()
    index.close()
    again = RunIndex(folder)
    again.rebuild()
    assert again.entries() == listed
    entry = listed[0]
    assert entry.status == "complete" and entry.params == 12_730 and entry.macs == 12_544
    assert set(entry.best) >= {"val_accuracy", "test_accuracy", "val_loss"} and entry.seconds == 1.5
    assert entry.settings["training.lr"] in (0.1, 0.01, 0.001) and entry.settings["dataset.subset"] == 256
    assert entry.settings["training.optimizer"] == "sgd"  # defaults are filled in


def test_refresh_picks_up_new_changed_and_removed_directories(folder):
    index = RunIndex(folder)
    assert index.refresh() == []
    write_run(folder, "run-new", started=1.8e9)
    summary = folder / "run-1" / SUMMARY
    data = json.loads(summary.read_text())
    data["final"]["val_accuracy"] = 0.99
    summary.write_text(json.dumps(data))
    os.utime(summary, ns=(summary.stat().st_atime_ns, summary.stat().st_mtime_ns + 10**9))
    import shutil

    shutil.rmtree(folder / "run-2")
    assert sorted(index.refresh()) == ["run-1", "run-2", "run-new"]
    assert index.entries()[0].id == "run-new" and "run-2" not in {e.id for e in index.entries()}
    assert index.get("run-1").best["val_accuracy"] == 0.99


def test_filtering_by_text_and_tags(folder):
    index = RunIndex(folder)
    assert {e.id for e in index.entries(tags={"even"})} == {"run-0", "run-2", "run-4"}
    assert [e.id for e in index.entries("RUN-3")] == ["run-3"]
    index.set_note("run-3", "the larger batch")
    assert [e.id for e in index.entries("larger")] == ["run-3"]
    assert index.entries("larger", tags={"even"}) == []


def test_tags_and_notes_live_in_the_run_directory_and_survive_a_rebuild(folder):
    index = RunIndex(folder)
    index.set_tags("run-1", {" baseline ", "best", ""})
    index.set_note("run-1", "first try")
    (folder / INDEX_FILE).unlink()
    entry = RunIndex(folder).get("run-1")
    assert entry.tags == {"baseline", "best"} and entry.note == "first try"
    assert index.tags() >= {"baseline", "best", "even"}


def test_delete_moves_to_the_trash_and_restore_puts_it_back(folder):
    index = RunIndex(folder)
    where = index.delete("run-3")
    assert where.is_dir() and where.parent.parent == folder / TRASH and not (folder / "run-3").exists()
    assert "run-3" not in {e.id for e in index.entries()}
    assert "run-3" not in {e.id for e in RunIndex(folder).entries()}  # the trash is not a run
    entry = index.restore(where)
    assert entry.id == "run-3" and (folder / "run-3" / PROJECT).exists()
    assert "run-3" in {e.id for e in index.entries()}
    with pytest.raises(UnknownRunError, match="Did you mean 'run-3'"):
        index.delete("run-33")


def damage(folder):
    """Ways a run directory goes wrong, with a word the reason must contain."""
    cases = {}
    write_run(folder, "killed", complete=False)
    cases["killed"] = ("incomplete", "still being written")
    (write_run(folder, "no-summary") / SUMMARY).unlink()
    cases["no-summary"] = ("damaged", SUMMARY)
    (write_run(folder, "bad-summary") / SUMMARY).write_text('{"final": {"val_acc')
    cases["bad-summary"] = ("damaged", "not valid JSON")
    (write_run(folder, "bad-metrics") / METRICS).write_text('{"epoch": 1}\nnot json\n')
    cases["bad-metrics"] = ("damaged", "line 2")
    (write_run(folder, "no-project") / PROJECT).unlink()
    cases["no-project"] = ("damaged", PROJECT)
    (write_run(folder, "bad-project") / PROJECT).write_text("[1, 2]")
    cases["bad-project"] = ("damaged", "no graph")
    (write_run(folder, "bad-record") / "record.json").write_text('"text"')
    cases["bad-record"] = ("damaged", "record.json")
    (write_run(folder, "bad-notes") / "annotations.json").write_text('{"tags": "x"}')
    cases["bad-notes"] = ("damaged", "annotations.json")
    (folder / "empty").mkdir()
    cases["empty"] = ("damaged", PROJECT)
    (write_run(folder, "binary") / SUMMARY).write_bytes(b"\xff\xfe\x00garbage")
    cases["binary"] = ("damaged", SUMMARY)
    return cases


def test_damaged_directories_are_listed_with_the_reason(tmp_path):
    write_run(tmp_path, "fine")
    cases = damage(tmp_path)
    (tmp_path / "stray-file.txt").write_text("not a run")
    listed = {e.id: e for e in RunIndex(tmp_path).entries()}
    assert set(listed) == {"fine", *cases}
    assert listed["fine"].status == "complete" and listed["fine"].problem == ""
    for run_id, (status, word) in cases.items():
        assert listed[run_id].status == status, run_id
        assert word in listed[run_id].problem, (run_id, listed[run_id].problem)
    assert (tmp_path / INCOMPLETE).exists() is False


def test_a_damaged_index_file_is_replaced(folder):
    (folder / INDEX_FILE).write_bytes(b"this is not a database" * 100)
    assert len(RunIndex(folder).entries()) == 5
    with sqlite3.connect(folder / INDEX_FILE) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 5


def test_a_missing_folder_lists_nothing(tmp_path):
    assert RunIndex(tmp_path / "none").entries() == []
    assert not (tmp_path / "none").exists()


def test_runs_of_an_older_layerlab_without_record_json(tmp_path):
    path = write_run(tmp_path, "old", project=mlp_project(units=32))
    (path / "record.json").unlink()
    entry = RunIndex(tmp_path).get("old")
    assert entry.status == "complete" and entry.params == 12_730 and entry.seed == 0
    assert entry.macs == 784 * 32 + 32 * 10 and entry.best["val_accuracy"] > 0
