"""`layerlab import path/model.py:ClassName`: a person's own nn.Module becomes a project with the
same parameters and outputs; the CLI says it runs the file first; every bad input gets one message
naming the file and what to do, and nothing is written."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from engine.cli.main import main
from engine.compiler import compile_network
from engine.importers.user_module import import_user_module, parse_user_source
from engine.project import load_project
from engine.shapes import infer_shapes

MODEL = '''
import torch
from torch import nn

from model_parts import WIDTH  # a neighbour of the file: its folder is on sys.path while it loads


class Residual(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)) + x)


class SmallNet(nn.Module):
    def __init__(self, channels: int, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, padding=1)
        self.block = Residual(channels)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(channels * 4 * 4, WIDTH)
        self.out = nn.Linear(WIDTH, classes)

    def forward(self, x):
        x = self.pool(self.block(torch.relu(self.stem(x))))
        return self.out(torch.tanh(self.head(torch.flatten(x, 1))))


class Unsupported(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        x = self.fc(x)
        return torch.cumsum(x, dim=1)


class DataDependent(nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x
        return -x


class Broken(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        raise RuntimeError("no weights here")


def helper():
    return 1
'''


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    (tmp_path / "model_parts.py").write_text("WIDTH = 12\n")
    path = tmp_path / "mynet.py"
    path.write_text(MODEL)
    return path


def _line(text: str) -> int:
    """The line of MODEL that holds `text`."""
    return next(i for i, line in enumerate(MODEL.splitlines(), 1) if text in line)


def _import(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(["import", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_own_module_imports_with_the_same_parameters_and_outputs(model_file):
    before = list(sys.path)
    result = import_user_module(f"{model_file}:SmallNet", (3, 8, 8), {"channels": 6})
    assert sys.path == before  # the file's folder was on sys.path only while it loaded
    assert not (model_file.parent / "__pycache__").exists()  # and nothing was written beside it
    reference = result.reference
    assert not reference.training
    network = result.project.network
    assert infer_shapes(network).total_params == sum(p.numel() for p in reference.parameters())
    model = compile_network(network).eval()
    report = result.copy_weights(model)
    assert report.complete and not report.unexpected, report.summary()
    x = torch.randn(4, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.allclose(model(x), reference(x), atol=1e-6, rtol=0)
    assert result.max_abs_diff <= 1e-6


def test_cli_says_it_runs_the_file_then_writes_the_project(model_file, tmp_path, capsys):
    out = tmp_path / "small.layerlab"
    code, stdout, _ = _import([f"{model_file}:SmallNet", "--args", '{"channels": 4, "classes": 3}',
                               "--input-shape", "3,8,8", "-o", str(out)], capsys)
    assert code == 0
    first, *_ = stdout.splitlines()
    assert first == f"Running {model_file} to build SmallNet (this executes its code)"
    assert f"wrote {out}" in stdout and "outputs equal SmallNet's" in stdout
    project = load_project(out)
    assert infer_shapes(project.network).total_params == (3 * 9 * 4 + 4) + (4 * 9 * 4 + 4 + 8) + (64 * 12 + 12) + 39


def test_keep_weights_writes_a_run_directory_with_the_module_weights(model_file, tmp_path, capsys):
    run = tmp_path / "run"
    code, _, err = _import([f"{model_file}:SmallNet", "--args", '{"channels": 4}', "--input-shape", "3,8,8",
                            "-o", str(run), "--keep-weights"], capsys)
    assert code == 0, err
    assert (run / "project.layerlab").is_file() and (run / "weights.safetensors").is_file()


@pytest.mark.parametrize("source, expected", [
    ("model.py:Net", ("model.py", "Net")), ("a/b/c.py:Deep", ("a/b/c.py", "Deep")),
    ("torchvision:resnet18", None), ("weights.pt", None), ("C:\\w.pt", None)])
def test_source_form(source, expected):
    parsed = parse_user_source(source)
    assert (None if parsed is None else (str(parsed[0]).replace("\\", "/"), parsed[1])) == \
        (None if expected is None else (str(Path(expected[0])).replace("\\", "/"), expected[1]))


def _refused(argv: list[str], out: Path, capsys) -> str:
    code, _, err = _import([*argv, "-o", str(out)], capsys)
    assert code == 2, err
    assert not out.exists()
    assert err.startswith("error: ") and len(err.strip().splitlines()) >= 1
    return err


def test_file_that_is_not_python(tmp_path, capsys):
    binary = tmp_path / "weights.py"
    binary.write_bytes(b"\x80\x03\x00\xff\xfe")
    err = _refused([f"{binary}:Net", "--input-shape", "3,8,8"], tmp_path / "o.layerlab", capsys)
    assert str(binary) in err and "not a Python file" in err
    text = tmp_path / "notes.py"
    text.write_text("this is not python at all\n")
    err = _refused([f"{text}:Net", "--input-shape", "3,8,8"], tmp_path / "o.layerlab", capsys)
    assert str(text) in err and "not valid Python (line 1" in err


def test_missing_file(tmp_path, capsys):
    err = _refused([f"{tmp_path / 'nowhere.py'}:Net", "--input-shape", "3,8,8"], tmp_path / "o.layerlab", capsys)
    assert "does not exist" in err


def test_missing_class_lists_the_module_classes(model_file, tmp_path, capsys):
    err = _refused([f"{model_file}:Resnet", "--input-shape", "3,8,8"], tmp_path / "o.layerlab", capsys)
    assert f"'{model_file}' has no class 'Resnet'" in err
    assert "Broken, DataDependent, Residual, SmallNet, Unsupported" in err  # not helper, not imported nn classes
    err = _refused([f"{model_file}:helper", "--input-shape", "3,8,8"], tmp_path / "o.layerlab", capsys)
    assert "is not an nn.Module class" in err


def test_no_class_named(model_file, tmp_path, capsys):
    err = _refused([str(model_file), "--input-shape", "3,8,8"], tmp_path / "o.layerlab", capsys)
    assert f"{model_file}:ClassName" in err


def test_arguments_needed_are_named(model_file, tmp_path, capsys):
    err = _refused([f"{model_file}:SmallNet", "--input-shape", "3,8,8"], tmp_path / "o.layerlab", capsys)
    assert "SmallNet" in err and str(model_file) in err
    assert "needs the argument(s) channels" in err and '--args \'{"channels": ...}\'' in err
    err = _refused([f"{model_file}:SmallNet", "--args", '{"channels": 4, "depth": 2}', "--input-shape", "3,8,8"],
                   tmp_path / "o.layerlab", capsys)
    assert "no argument(s) depth" in err and "channels, classes" in err
    err = _refused([f"{model_file}:SmallNet", "--args", "channels=4", "--input-shape", "3,8,8"],
                   tmp_path / "o.layerlab", capsys)
    assert "JSON" in err


def test_constructor_failure_names_the_line(model_file, tmp_path, capsys):
    err = _refused([f"{model_file}:Broken", "--input-shape", "3,8,8"], tmp_path / "o.layerlab", capsys)
    assert f"{model_file} line {_line('no weights here')}" in err and "RuntimeError: no weights here" in err


def test_file_that_fails_to_run(tmp_path, capsys):
    path = tmp_path / "needs.py"
    path.write_text("import torch\nimport not_a_package_anywhere\n")
    err = _refused([f"{path}:Net", "--input-shape", "3,8,8"], tmp_path / "o.layerlab", capsys)
    assert f"Running '{path}' failed at {path} line 2" in err and "not_a_package_anywhere" in err


def test_tracing_failure_says_why_and_where(model_file, tmp_path, capsys):
    err = _refused([f"{model_file}:DataDependent", "--input-shape", "4"], tmp_path / "o.layerlab", capsys)
    assert "torch.fx cannot trace DataDependent.forward" in err
    assert f"at {model_file} line {_line('if x.sum()')} (`if x.sum() > 0:`)" in err and "control flow" in err


def test_unsupported_operation_is_named_with_its_line(model_file, tmp_path, capsys):
    err = _refused([f"{model_file}:Unsupported", "--input-shape", "4"], tmp_path / "o.layerlab", capsys)
    assert f"Unsupported in '{model_file}' cannot be imported exactly" in err
    assert f"'cumsum' at mynet.py line {_line('cumsum')} (`return torch.cumsum(x, dim=1)`)" in err


def test_input_shape_is_required(model_file, tmp_path, capsys):
    err = _refused([f"{model_file}:SmallNet", "--args", '{"channels": 4}'], tmp_path / "o.layerlab", capsys)
    assert "--input-shape" in err

