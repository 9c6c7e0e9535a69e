"""Export, then import: every sample project written as a Python file (`python` export) and imported
back as a user module (`file.py:ClassName`) has the same architecture and the same outputs, and
written as ONNX and imported back has the same outputs within 1e-5.

"The same architecture" is compared on the networks with every block expanded (engine.blocks.expand.
flatten), since the import makes blocks of the file's submodules and names its layers after the
module paths, which need not be the project's names or blocks: the two flat graphs must be
isomorphic, matching each layer by its type and the torch module it builds for its input shapes
(e.g. `Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))`, so every parameter counts),
and each wire by its direction. Outputs are compared with the project's model on a probe batch, the
imported network holding the exported weights.

The default run checks the Python round trip of two samples (LeNet-5, and the small ResNet, which has
nested blocks, residual sums and a global average) and the ONNX one of LeNet-5; `-m slow` checks every
sample (about a minute: each ONNX export takes seconds)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
import torch

from engine.blocks.expand import flatten
from engine.compiler import compile_network
from engine.export import export, load_source
from engine.export.codegen import class_name
from engine.graph import Network
from engine.importers.user_module import import_user_module
from engine.shapes import infer_shapes

from .conftest import SAMPLES

FAST_PYTHON, FAST_ONNX = ("lenet5", "resnet_mnist"), ("lenet5",)  # each ONNX export takes seconds


def samples(fast: tuple[str, ...]) -> list:
    """Every sample, those not in `fast` marked slow."""
    return [pytest.param(p, id=p.stem, marks=() if p.stem in fast else [pytest.mark.slow]) for p in SAMPLES]


def architecture(network: Network) -> nx.DiGraph:
    """The flat network as a graph whose nodes carry (layer type, the torch module it builds)."""
    flat = flatten(network)
    analysis = infer_shapes(flat)
    assert analysis.ok, [issue.message for issue in analysis.errors]
    graph = nx.DiGraph()
    for node_id in flat.node_ids:
        spec, params = flat.spec(node_id), flat.params_view(node_id)
        if spec.type_id in ("Input", "Output"):  # the Output's loss is for training: no file keeps it
            built = repr(dict(params)) if spec.type_id == "Input" else ""
        else:
            with torch.device("meta"):
                built = repr(spec.build(params, [analysis.edge_shape(e) for e in flat.in_edges(node_id)]))
        graph.add_node(node_id, layer=(spec.type_id, built))
    graph.add_edges_from((edge.source, edge.target) for edge in flat.edges())
    return graph


def assert_same_architecture(original: Network, imported: Network) -> None:
    ours, theirs = architecture(original), architecture(imported)
    layers = [sorted(d["layer"] for _, d in graph.nodes(data=True)) for graph in (ours, theirs)]
    assert layers[0] == layers[1]
    assert nx.is_isomorphic(ours, theirs, node_match=lambda a, b: a["layer"] == b["layer"]), "wired differently"


def probe(source, batch: int = 3) -> torch.Tensor:
    return torch.randn(batch, *source.input_shape, generator=torch.Generator().manual_seed(7))


@pytest.mark.parametrize("sample", samples(FAST_PYTHON))
def test_python_export_imports_back_as_the_same_network(sample: Path, tmp_path):
    source = load_source(sample)
    path = tmp_path / f"{sample.stem}.py"
    export(source, "python", path)
    result = import_user_module(f"{path}:{class_name(source.project.name)}", tuple(source.input_shape))
    assert_same_architecture(source.project.network, result.project.network)
    result.reference.load_state_dict(torch.load(path.with_suffix(".weights.pt"), weights_only=True))
    model = compile_network(result.project.network).eval()
    report = result.copy_weights(model)
    assert report.complete and not report.unexpected, report.summary()
    x = probe(source)
    with torch.no_grad():
        difference = (model(x) - source.model.eval()(x)).abs().max().item()
    assert difference <= 1e-6


@pytest.mark.parametrize("sample", samples(FAST_ONNX))
def test_onnx_export_imports_back_with_the_same_outputs(sample: Path, tmp_path):
    pytest.importorskip("onnx2torch")
    onnxruntime = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    from engine.importers.onnx_import import import_onnx

    source = load_source(sample)
    path = tmp_path / f"{sample.stem}.onnx"
    export(source, "onnx", path)
    result = import_onnx(path)
    model = compile_network(result.project.network).eval()
    report = result.copy_weights(model)
    assert report.complete and not report.unexpected, report.summary()
    assert infer_shapes(result.project.network).total_params <= infer_shapes(source.project.network).total_params
    x = probe(source)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ours = model(x)
        assert (ours - source.model.eval()(x)).abs().max().item() <= 1e-5
    (theirs,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    assert (ours - torch.from_numpy(theirs)).abs().max().item() <= 1e-5
