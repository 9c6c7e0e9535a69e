"""`layerlab import model.onnx`: ONNX files exported from small torch models become projects whose
outputs equal onnxruntime's within 1e-5; files that are not ONNX, operations LayerLab lacks and a
missing onnx2torch each get one message, and nothing is written."""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from pathlib import Path

import pytest
import torch
from torch import nn

pytest.importorskip("onnx2torch")
onnxruntime = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

from engine.cli.main import main  # noqa: E402
from engine.compiler import compile_network  # noqa: E402
from engine.export import load_source  # noqa: E402
from engine.importers import onnx_import  # noqa: E402
from engine.importers.onnx_import import import_onnx  # noqa: E402
from engine.project import load_project  # noqa: E402
from engine.shapes import infer_shapes  # noqa: E402

SHAPE = (3, 16, 16)


class Branchy(nn.Module):
    """Conv-BN-ReLU, a residual sum, a concatenation, max pooling, a global average and a head."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.left = nn.Conv2d(8, 8, 3, padding=1)
        self.right = nn.Conv2d(8, 4, 1)
        self.pool = nn.MaxPool2d(2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(12, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.bn(self.stem(x)))
        x = torch.relu(self.left(x) + x)
        x = self.pool(torch.cat([x, torch.sigmoid(self.right(x))], dim=1))
        return torch.tanh(self.fc(torch.flatten(self.gap(x), 1)))


class Mlp(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.hidden = nn.Linear(3 * 16 * 16, 32)
        self.out = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden(self.flatten(x))))


class Difference(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Linear(6, 6), nn.Linear(6, 6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.a(x) - self.b(x)


def export_onnx(module: nn.Module, shape: tuple[int, ...], path: Path, dynamic_batch: bool = True) -> Path:
    """`module` in eval mode, exported by torch's (dynamo) ONNX exporter."""
    torch.manual_seed(0)
    module = module.eval()
    if hasattr(module, "bn"):  # running statistics that are not the identity
        module.bn.running_mean.uniform_(-0.5, 0.5)
        module.bn.running_var.uniform_(0.5, 2.0)
    kwargs = {"dynamic_shapes": ({0: "batch"},)} if dynamic_batch else {}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (torch.randn(2, *shape),), str(path), input_names=["input"], dynamo=True,
                          **kwargs)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("onnx")
    return {"branchy": export_onnx(Branchy(), SHAPE, folder / "branchy.onnx"),
            "mlp": export_onnx(Mlp(), SHAPE, folder / "mlp.onnx", dynamic_batch=False)}


def onnxruntime_outputs(path: Path, x: torch.Tensor) -> torch.Tensor:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {session.get_inputs()[0].name: x.numpy()})[0])


def assert_matches_onnxruntime(path: Path, batch: int = 3, **options) -> float:
    """Import `path`, copy its weights into the compiled network and compare with onnxruntime."""
    result = import_onnx(path, **options)
    model = compile_network(result.project.network).eval()
    report = result.copy_weights(model)
    assert report.complete and not report.unexpected, report.summary()
    x = torch.randn(batch, *SHAPE, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        difference = (model(x) - onnxruntime_outputs(path, x)).abs().max().item()
    assert difference <= 1e-5
    assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-5
    return difference


def test_branchy_network_matches_onnxruntime(files):
    assert_matches_onnxruntime(files["branchy"])
    network = import_onnx(files["branchy"]).project.network
    types = {network.spec(n).type_id for n in network.node_ids}
    assert {"Conv2d", "Add", "Concatenate", "MaxPool2d", "Dense"} <= types
    names = {network.name_of(n) for n in network.node_ids}
    assert {"stem", "left", "right", "fc"} <= names  # named after the file's weights


def test_fixed_batch_file_matches_onnxruntime(files):
    assert_matches_onnxruntime(files["mlp"], batch=2)  # the file was exported for batches of 2


def test_input_shape_comes_from_the_file(files):
    network = import_onnx(files["mlp"]).project.network
    (input_id,) = network.nodes_with_role("input")
    assert tuple(network.params_view(input_id)["shape"]) == SHAPE
    assert infer_shapes(network).total_params == 3 * 16 * 16 * 32 + 32 + 330


def test_cli_writes_the_project(files, tmp_path, capsys):
    out = tmp_path / "branchy.layerlab"
    assert main(["import", str(files["branchy"]), "--input-shape", "3,16,16", "-o", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert f"wrote {out}" in stdout and "outputs equal onnxruntime's within" in stdout
    assert infer_shapes(load_project(out).network).ok
    run = tmp_path / "run"
    assert main(["import", str(files["branchy"]), "-o", str(run), "--keep-weights"]) == 0
    assert f"wrote run directory {run}" in capsys.readouterr().out
    source = load_source(run)  # the file's weights, in a run directory
    x = torch.randn(2, *SHAPE, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        assert (source.model.eval()(x) - onnxruntime_outputs(files["branchy"], x)).abs().max().item() <= 1e-5


def _refused(argv: list[str], out: Path, capsys) -> str:
    assert main(["import", *argv, "-o", str(out)]) == 2
    assert not out.exists()
    return capsys.readouterr().err


def test_file_that_is_not_onnx(tmp_path, capsys):
    path = tmp_path / "model.onnx"
    path.write_text("class Net: pass\n")
    err = _refused([str(path)], tmp_path / "m.layerlab", capsys)
    assert f"'{path}' is not an ONNX model" in err
    err = _refused([str(tmp_path / "none.onnx")], tmp_path / "m.layerlab", capsys)
    assert "does not exist" in err


def test_operation_without_a_layer_is_named(tmp_path, capsys):
    path = export_onnx(Difference(), (6,), tmp_path / "difference.onnx")
    err = _refused([str(path)], tmp_path / "d.layerlab", capsys)
    assert f"'{path}' cannot be imported exactly" in err and "(Sub)" in err and "ONNX node" in err


def test_missing_converter_says_what_to_install(files, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(onnx_import, "available", lambda: False)
    monkeypatch.setitem(sys.modules, "onnx2torch", None)  # importing it now fails
    err = _refused([str(files["mlp"])], tmp_path / "m.layerlab", capsys)
    assert "pip install onnx2torch" in err and "layerlab[onnx-import]" in err
