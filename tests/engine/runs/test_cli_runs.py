"""`layerlab runs list|show|compare|diff|tag|rm`."""

import json

import pytest

from engine.cli import main
from engine.runs.folder import TRASH
from tests.engine.runs.helpers import mlp_project, write_run


@pytest.fixture
def runs(tmp_path):
    write_run(tmp_path, "small-1", project=mlp_project(units=16, lr=0.1), started=1.7e9)
    write_run(tmp_path, "large-2", project=mlp_project(units=64, extra_layer=True, lr=0.01), started=1.7e9 + 60,
              tags=["baseline"])
    (tmp_path / "broken").mkdir()
    return tmp_path


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(runs, capsys):
    code, out, err = cli(capsys, "runs", "list", "--runs", str(runs))
    assert code == 0 and out.index("large-2") < out.index("small-1") and "broken" in out
    assert "damaged: broken: no project.layerlab" in err
    code, out, _ = cli(capsys, "runs", "list", "--runs", str(runs), "--json", "--tag", "baseline")
    assert [r["id"] for r in json.loads(out)] == ["large-2"]
    code, out, _ = cli(capsys, "runs", "list", "small", "--runs", str(runs), "--json")
    assert [r["id"] for r in json.loads(out)] == ["small-1"]
    code, out, _ = cli(capsys, "runs", "list", "--runs", str(runs), "--json", "--sort", "val_accuracy")
    rows = json.loads(out)
    assert rows[-1]["id"] == "broken" and rows[0]["best"]["val_accuracy"] >= rows[1]["best"]["val_accuracy"]


def test_show_compare_and_diff(runs, capsys):
    code, out, _ = cli(capsys, "runs", "show", "small", "--runs", str(runs))  # a unique start of an id
    assert code == 0 and "small-1" in out and "training.lr = 0.1" in out
    code, out, _ = cli(capsys, "runs", "show", str(runs / "large-2"), "--json")  # a path
    assert json.loads(out)["tags"] == ["baseline"] and json.loads(out)["record"]["macs"] == 12_544
    code, out, _ = cli(capsys, "runs", "compare", "small-1", "large-2", "--runs", str(runs), "--json")
    data = json.loads(out)
    assert data["settings"] == {"training.lr": [0.1, 0.01]} and len(data["best"]["val_accuracy"]) == 2
    code, out, _ = cli(capsys, "runs", "diff", "small-1", "large-2", "--runs", str(runs), "--json")
    data = json.loads(out)
    assert data["settings"] == {"training.lr": [0.1, 0.01]}
    assert data["architecture"]["added"] == ["hidden2", "relu2"]
    code, out, _ = cli(capsys, "runs", "diff", "small-1", "large-2", "--runs", str(runs))
    assert "+ hidden2" in out and "~ hidden1: units 16 -> 64" in out and "training.lr: 0.1 -> 0.01" in out
    code, _, err = cli(capsys, "runs", "show", "smal-1", "--runs", str(runs))
    assert code == 2 and "Did you mean 'small-1'" in err


def test_tag_and_note(runs, capsys):
    code, out, _ = cli(capsys, "runs", "tag", "small-1", "--add", "keep", "--add", "x", "--note", "good one",
                       "--runs", str(runs))
    assert code == 0 and "keep, x" in out and "good one" in out
    cli(capsys, "runs", "tag", "small-1", "--remove", "x", "--runs", str(runs))
    code, out, _ = cli(capsys, "runs", "list", "--runs", str(runs), "--json", "--tag", "keep")
    (row,) = json.loads(out)
    assert row["tags"] == ["keep"] and row["note"] == "good one"


def test_rm_asks_first(runs, capsys, monkeypatch):
    code, _, err = cli(capsys, "runs", "rm", "small-1", "--runs", str(runs))  # stdin is not a terminal here
    assert code == 2 and "without asking" in err and (runs / "small-1").exists()
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    code, out, _ = cli(capsys, "runs", "rm", "small-1", "--runs", str(runs))
    assert code == 1 and "nothing deleted" in out and (runs / "small-1").exists()
    code, out, _ = cli(capsys, "runs", "rm", "small-1", "broken", "--yes", "--runs", str(runs))
    assert code == 0 and not (runs / "small-1").exists() and not (runs / "broken").exists()
    assert len(list((runs / TRASH).glob("*/small-1"))) == 1


def test_listing_runs_does_not_import_torch(runs):
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys\nfrom engine.cli import main\n"
            f"assert main(['runs', 'list', '--runs', {str(runs)!r}]) == 0\n"
            f"assert main(['runs', 'diff', 'small-1', 'large-2', '--runs', {str(runs)!r}]) == 0\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'torch')\n"
            "assert not loaded, loaded[:5]\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
