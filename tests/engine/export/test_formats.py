"""Every sample project x every model format round-trips within tolerance, atomically."""

from __future__ import annotations

import json
import math

import pytest
import torch

from engine.export import FORMATS, ExportError, export, onnx_file, source_from_project
from engine.export.base import ExportFormat, run_export

from .conftest import SAMPLES
from .networks import every_layer_project

MODEL_FORMATS = [name for name in FORMATS if name != "training_script"]
ALL_FORMATS = list(FORMATS)


def _needs(fmt: str) -> None:
    if fmt == "onnx" and not onnx_file.available():
        pytest.skip("onnx/onnxscript are not installed (pip install 'layerlab[onnx]')")


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("sample", [p.stem for p in SAMPLES])
def test_every_sample_round_trips(sources, sample, fmt, tmp_path):
    _needs(fmt)
    source = sources[sample]
    path = tmp_path / f"model{FORMATS[fmt].suffix}"
    result = export(source, fmt, path)
    assert result.path == path and path.is_file() and path.stat().st_size > 0
    limit = 1e-4 if fmt == "onnx" else 1e-5
    if fmt == "onnx" and not onnx_file.runtime_available():
        assert math.isnan(result.max_abs_diff)
    else:
        assert 0.0 <= result.max_abs_diff <= limit
    assert json.loads(json.dumps(result.to_json()))["format"] == fmt
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_exports_of_trained_weights_keep_them(sources, tmp_path):
    """A state dict export holds the source's weights exactly (not a fresh initialisation)."""
    source = sources["lenet5"]
    export(source, "state_dict", tmp_path / "w.pt")
    saved = torch.load(tmp_path / "w.pt", weights_only=True)
    assert saved.keys() == source.model.state_dict().keys()
    assert all(torch.equal(saved[k], v) for k, v in source.model.state_dict().items())


@pytest.mark.parametrize("fmt", ["onnx", "exported_program", "torchscript"])
def test_batch_size_is_dynamic(sources, fmt, tmp_path):
    """The probe batch (3) differs from the traced example (2); a batch of 7 also runs."""
    _needs(fmt)
    source = sources["mnist_mlp"]
    path = export(source, fmt, tmp_path / f"m{FORMATS[fmt].suffix}").path
    batch = source.probe(7)
    if fmt == "onnx":
        if not onnx_file.runtime_available():
            pytest.skip("onnxruntime is not installed")
        import onnxruntime
        out = onnxruntime.InferenceSession(str(path)).run(None, {"input": batch.numpy()})[0]
    elif fmt == "exported_program":
        out = torch.export.load(str(path)).module()(batch)
    else:
        out = torch.jit.load(str(path))(batch)
    assert tuple(out.shape) == (7, 10)


def test_onnx_passes_the_full_checker(sources, tmp_path):
    _needs("onnx")
    import onnx

    path = export(sources["resnet_mnist"], "onnx", tmp_path / "r.onnx").path
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and not dims[0].dim_value  # symbolic batch axis, named for people
    assert model.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert [d.dim_value for d in dims[1:]] == [1, 28, 28]


@pytest.mark.parametrize("fmt", MODEL_FORMATS)
def test_every_layer_type(fmt, tmp_path):
    """Every layer of the library exports, or the refusal names the layer and the format."""
    _needs(fmt)
    source = source_from_project(every_layer_project())
    target = tmp_path / f"m{FORMATS[fmt].suffix}"
    try:
        result = export(source, fmt, target)
    except ExportError as error:
        assert fmt in str(error) and "'unpool' (MaxUnpool2d)" in str(error), str(error)
        assert fmt == "torchscript"  # tracing cannot follow max-unpooling's size checks
        assert list(tmp_path.iterdir()) == []
        return
    assert result.max_abs_diff <= (1e-4 if fmt == "onnx" else 1e-5)


def test_failed_check_leaves_nothing_and_keeps_the_old_file(sources, tmp_path):
    """A file whose reload disagrees with the model is never moved into place."""
    good = FORMATS["state_dict"]
    broken = ExportFormat("state_dict", ".pt", "", good.write, lambda s, o: (lambda x: s.model(x) + 1.0))
    target = tmp_path / "model.pt"
    target.write_bytes(b"previous export")
    with pytest.raises(ExportError, match="differs from the model by up to 1"):
        run_export(broken, sources["mnist_mlp"], target)
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]


def test_a_crash_while_writing_leaves_nothing(sources, tmp_path):
    def explode(source, out):
        out.path.write_bytes(b"half a file")
        raise RuntimeError("disk on fire")

    fmt = ExportFormat("state_dict", ".pt", "", explode, FORMATS["state_dict"].load)
    with pytest.raises(ExportError, match="disk on fire"):
        run_export(fmt, sources["mnist_mlp"], tmp_path / "model.pt")
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_named(sources, tmp_path):
    with pytest.raises(ExportError, match="Unknown export format 'keras'.*onnx"):
        export(sources["mnist_mlp"], "keras", tmp_path / "m.h5")
