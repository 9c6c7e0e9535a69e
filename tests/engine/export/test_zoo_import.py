"""The torchvision zoo: every classification model either imports exactly (same parameters, same
outputs with the same random weights) or is refused naming the operations LayerLab lacks; and the
zoo table of docs/export.md says so."""

from __future__ import annotations

import warnings

import pytest
import torch

from engine.compiler import compile_network
from engine.export import export, source_from_project
from engine.importers import ImportRefused, import_torchvision, torchvision_names
from engine.importers.zoo_table import DOC, PROBE_SIDES, probe, reasons, with_table
from engine.shapes import infer_shapes

from .conftest import run_without_layerlab

SMALL = [("mobilenet_v2", 32), ("squeezenet1_0", 32), ("shufflenet_v2_x0_5", 32), ("mnasnet0_5", 32),
         ("efficientnet_b0", 32)]
"""Checked by default (about 15 s together); the whole zoo with -m slow."""


def same_outputs(name: str, side: int, flat: bool = False) -> float:
    """Import `name` with torchvision's random weights copied in; the largest output difference."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = import_torchvision(name, (3, side, side), with_weights=True, flat=flat)
    _vary(result.reference)
    model = compile_network(result.project.network).eval()
    report = result.copy_weights(model)
    assert report.complete and not report.unexpected, report.summary()
    assert infer_shapes(result.project.network).total_params == result.reference_params
    x = torch.randn(2, 3, side, side, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected, got = result.reference(x), model(x)
    assert got.shape == expected.shape
    return float((got - expected).abs().max())


def _vary(model: torch.nn.Module) -> None:
    """Give batch norms running statistics, layer scales and class tokens values far from their
    initial ones, so that a misplaced normalization, scale or token shows in the outputs."""
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, tensor in [*model.named_buffers(), *model.named_parameters()]:
            if name.endswith("running_mean"):
                tensor.copy_(0.1 * torch.randn(tensor.shape, generator=generator))
            elif name.endswith("running_var") or name.endswith("layer_scale"):
                tensor.copy_(0.5 + torch.rand(tensor.shape, generator=generator))
            elif name.endswith("class_token"):
                tensor.copy_(torch.randn(tensor.shape, generator=generator))


@pytest.mark.parametrize("name, side", SMALL)
def test_small_models_import_exactly(name, side):
    assert same_outputs(name, side) <= 1e-5


def test_flat_import_is_exact_too():
    assert same_outputs("squeezenet1_1", 32, flat=True) <= 1e-5


def test_the_imported_layers_are_the_new_ones():
    project = import_torchvision("shufflenet_v2_x0_5", (3, 32, 32), flat=True).project
    types = {project.network.spec(n).type_id for n in project.network.node_ids}
    assert {"ChannelShuffle", "ChannelChunk", "Concatenate"} <= types
    net = import_torchvision("squeezenet1_1", (3, 32, 32), flat=True).project.network
    assert net.node(net.find("features.2")).params["ceil_mode"] is True
    net = import_torchvision("efficientnet_b0", (3, 32, 32), flat=True).project.network
    names = {net.spec(n).type_id for n in net.node_ids}
    assert {"SiLU", "StochasticDepth", "Multiply", "AdaptiveAvgPool2d", "Sigmoid"} <= names
    pool = net.node(net.find("features.1.0.block.1.avgpool"))
    assert pool.params["output_size"] == (1, 1)


_COMPARE = """
import sys, torch
sys.path.insert(0, ".")
from model import load_model
data = torch.load("probe.pt", weights_only=True)
with torch.no_grad():
    print((load_model().eval()(data["x"]) - data["y"]).abs().max().item())
"""


def test_python_export_of_an_imported_model_runs_without_layerlab(tmp_path):
    """ShuffleNet's blocks (channel shuffle and chunks inside, 1 x 1 kernels as block arguments) as
    Python classes that reproduce the model."""
    source = source_from_project(import_torchvision("shufflenet_v2_x0_5", (3, 32, 32)).project)
    export(source, "python", tmp_path / "model.py")
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.save({"x": x, "y": source.model.eval()(x)}, tmp_path / "probe.pt")
    (tmp_path / "compare.py").write_text(_COMPARE)
    run = run_without_layerlab(tmp_path / "compare.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert float(run.stdout.strip()) <= 1e-5
    assert "nn.ChannelShuffle(2)" in (tmp_path / "model.py").read_text()


def test_convnext_layer_scale_keeps_torch_s_weight_name():
    """`layer_scale * x` (a stored parameter times a tensor) is a Scale layer named after the parameter."""
    library = import_torchvision("convnext_tiny", (3, 32, 32)).project.network.library
    block = library.definition("CNBlock").network
    assert block.spec(block.find("layer_scale")).type_id == "Scale"
    types = {d.network.spec(n).type_id for d in library for n in d.network.node_ids}
    assert {"LayerNorm2d", "Permute", "StochasticDepth", "GELU"} <= types


def test_vit_imports_with_its_class_token_position_embedding_and_attention():
    """vit_b_32 (structure only: its outputs are checked with -m slow): 224 x 224 inputs only, as it
    asserts the size it was built for."""
    result = import_torchvision("vit_b_32", (3, 224, 224))
    assert infer_shapes(result.project.network).total_params == result.reference_params == 88_224_232
    library = result.project.network.library
    types = {d.network.spec(n).type_id for d in library for n in d.network.node_ids}
    assert {"SelfAttention", "PositionEmbedding", "LayerNorm", "Dense"} <= types
    with pytest.raises(ImportRefused, match="check of its input fails for 3x64x64 inputs"):
        import_torchvision("vit_b_32", (3, 64, 64))


def test_refusal_reasons_are_short_and_grouped():
    problems = ["'encoder.pos_embedding': reads a stored tensor directly (not through a layer)",
                "'reshape': LayerLab has no layer for the tensor method .reshape()",
                "'class_token': reads a stored tensor directly (not through a layer)",
                "'encoder.layers.0.self_attention': the layer library has no MultiheadAttention",
                "'reshape_1': LayerLab has no layer for the tensor method .reshape()"]
    assert reasons(problems) == ("reads stored tensors directly (pos_embedding, class_token)", ".reshape()",
                                 "MultiheadAttention (module)")


def test_a_probe_takes_the_smallest_input_the_model_accepts():
    assert probe("alexnet").side == 64 and probe("inception_v3").side == 75 and probe("vit_b_32").side == 224
    entry = probe("swin_t")
    assert entry.refused and "torchvision.models.swin_transformer.shifted_window_attention" in entry.status
    assert entry.params == 28_288_354


def test_the_table_has_every_model_once():
    document = DOC.read_text(encoding="utf-8")
    assert with_table(document, "x").count("x\n") >= 1
    table = document[document.index("zoo-table:begin"):document.index("zoo-table:end")]
    for name in torchvision_names():
        assert table.count(f"| {name} |") == 1, name


@pytest.mark.slow
def test_the_zoo_table_is_up_to_date():
    from engine.importers.zoo_table import main

    assert main(["--check"]) == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", torchvision_names())
def test_every_model_imports_exactly_or_names_what_is_missing(name):
    entry = probe(name)
    if entry.refused:
        assert all(entry.refused), entry
        return
    assert entry.side in PROBE_SIDES
    assert same_outputs(name, entry.side) <= 1e-5


class _Gamma(torch.nn.Module):
    """A convolution scaled per channel by a parameter stored on the module (`twice`: used twice)."""

    def __init__(self, twice: bool = False) -> None:
        super().__init__()
        self.conv, self.twice = torch.nn.Conv2d(3, 4, 3, padding=1), twice
        self.gamma = torch.nn.Parameter(torch.full((4, 1, 1), 0.5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.gamma * self.conv(x)
        return self.gamma * y if self.twice else y


def test_a_stored_parameter_times_a_tensor_is_a_scale_layer_that_owns_it():
    from engine.importers import import_module, load_weights

    reference = _Gamma()
    net = import_module(reference, (3, 8, 8), "gamma", flat=True).network
    assert net.spec(net.find("gamma")).type_id == "Scale" and net.node(net.find("gamma")).params["init"] == 0.5
    model = compile_network(net)
    assert load_weights(model, reference.state_dict()).complete
    x = torch.randn(2, 3, 8, 8)
    assert torch.equal(model(x), reference(x))
    with pytest.raises(ImportRefused, match="used 2 times with shared weights"):
        import_module(_Gamma(twice=True), (3, 8, 8), "gamma")
