"""The headless CLI: summary / validate output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from engine.cli import main
from tests.conftest import ROOT

LENET = str(ROOT / "sample_projects" / "lenet5.layerlab")


def test_summary_json(capsys):
    assert main(["summary", LENET, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_params"] == data["trainable_params"] == 61_706
    assert {"id", "name", "type", "output_shape", "params", "activations", "macs"} <= data["layers"][0].keys()
    assert data["errors"] == []
    c1 = next(layer for layer in data["layers"] if layer["name"] == "c1")
    assert c1["output_shape"] == [6, 28, 28] and c1["params"] == 156


def test_summary_table(capsys):
    assert main(["summary", LENET]) == 0
    out = capsys.readouterr().out
    assert "c1" in out and "6x28x28" in out and "61,706" in out


def test_graph_errors_exit_1_and_are_printed(tmp_path, capsys):
    document = json.loads(Path(LENET).read_text())
    next(n for n in document["graph"]["nodes"] if n["name"] == "c3")["params"]["kernel"] = [20, 20]
    path = tmp_path / "broken.layerlab"
    path.write_text(json.dumps(document))
    assert main(["summary", str(path), "--json"]) == 1
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert len(errors) == 1 and "Conv2d 'c3': 20x20 kernel is larger" in errors[0]["message"]
    assert main(["validate", str(path)]) == 1
    assert "20x20 kernel" in capsys.readouterr().err


def test_unreadable_file_exits_2_without_traceback(tmp_path, capsys):
    path = tmp_path / "x.layerlab"
    path.write_text("{")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Cannot open") and "Traceback" not in err


def test_console_script_runs_cli_without_importing_qt():
    code = (f"import sys; from gui.launcher import main; rc = main(['validate', {str(LENET)!r}]); "
            "assert 'PySide6' not in sys.modules, 'Qt imported'; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_an_empty_project_fails_validation_with_a_clear_message(tmp_path, capsys):
    from engine.project import Project

    path = Project(name="Empty").save(tmp_path / "empty.layerlab")
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "error: The network is empty" in captured.err and "valid" not in captured.out
    assert main(["summary", str(path)]) == 1
    assert "error: The network is empty" in capsys.readouterr().err
