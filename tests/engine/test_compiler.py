"""The compiled fx module is real, deterministic, readable, and its shapes match inference."""

from __future__ import annotations

import random

import pytest
import torch
from torch.fx.passes.shape_prop import ShapeProp

from engine.builder import NetworkBuilder
from engine.compiler import CompileError, compile_network, example_input
from engine.graph import Network
from engine.project import load_project
from engine.shapes import infer_shapes
from tests.conftest import SAMPLES


def assert_real_shapes_match(network: Network) -> torch.fx.GraphModule:
    analysis = infer_shapes(network)
    gm = compile_network(network, analysis)
    gm.eval()
    ShapeProp(gm).propagate(example_input(network, batch=2))
    by_name = {node.name: node for node in gm.graph.nodes}
    for node_id, fx_name in gm.meta["layerlab_nodes"].items():
        real = tuple(by_name[fx_name].meta["tensor_meta"].shape[1:])
        assert real == analysis.nodes[node_id].output_shape, network.name_of(node_id)
    return gm


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_samples_compile_with_inferred_shapes_and_parameter_counts(path):
    network = load_project(path).network
    gm = assert_real_shapes_match(network)
    assert sum(p.numel() for p in gm.parameters()) == infer_shapes(network).total_params
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    assert len(placeholders) == 1 and [n.op for n in gm.graph.nodes][-1] == "output"
    x = example_input(network, batch=3)
    assert torch.equal(gm(x), gm(x))  # eval mode: the same batch gives the same prediction


def test_submodules_are_named_after_layers_and_code_is_readable():
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 8, 8], name="image")
    x = b.chain(x, ("Conv2d", {"filters": 2}, "conv 1"), ("ReLU", {}, "relu"), ("Flatten",),
                ("Dense", {"units": 3}, "scores"))
    b.add("Output", x)
    gm = compile_network(b.network)
    assert dict(gm.named_children()).keys() == {"conv_1", "relu", "flatten1", "scores"}
    assert "conv_1 = self.conv_1(image)" in gm.code
    assert "return scores" in gm.code
    assert gm.code == compile_network(b.network).code


def test_max_unpool_gets_the_paired_indices():
    b = NetworkBuilder()
    x = b.add("Input", shape=[2, 8, 8])
    pool = b.add("MaxPool2d", x, name="pool")
    unpool = b.add("MaxUnpool2d", pool, name="unpool")
    b.network.connect(pool, unpool, "indices", "indices")
    b.add("Output", unpool)
    gm = assert_real_shapes_match(b.network)
    assert "pool_indices" in gm.code


def test_dropout_and_batchnorm_differ_between_train_and_eval():
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[6]), ("BatchNorm1d",), ("Dropout", {"p": 0.5}))
    b.add("Output", x)
    gm = compile_network(b.network)
    data = torch.randn(16, 6) * 3 + 1
    gm.train()
    trained = gm(data)
    gm.eval()
    assert not torch.allclose(trained, gm(data))


def test_invalid_network_is_refused_with_the_errors_listed():
    net = Network()
    net.add_node("Input", {"shape": [4]})
    with pytest.raises(CompileError, match="no Output layer"):
        compile_network(net)


def random_network(rng: random.Random) -> Network:
    """A random image network: convolutions, pooling, norms, activations and residual merges."""
    b = NetworkBuilder()
    x = b.add("Input", shape=[rng.randint(1, 3), rng.randint(6, 16), rng.randint(6, 16)])
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(["conv", "pool", "act", "bn", "residual", "concat", "upsample"])
        if kind == "conv":
            x = b.add("Conv2d", x, filters=rng.randint(1, 6), kernel=[rng.randint(1, 3), rng.randint(1, 3)],
                      stride=[rng.randint(1, 2), rng.randint(1, 2)], padding=[rng.randint(0, 1), rng.randint(0, 1)])
        elif kind == "pool":
            x = b.add(rng.choice(["MaxPool2d", "AvgPool2d"]), x, kernel=2, stride=rng.randint(1, 2))
        elif kind == "act":
            x = b.add(rng.choice(["ReLU", "Sigmoid", "Tanh", "GELU", "LeakyReLU"]), x)
        elif kind == "bn":
            x = b.add("BatchNorm2d", x)
        elif kind == "upsample":
            x = b.add(rng.choice(["UpsampleNearest", "BedOfNails"]), x, scale=2)
        else:
            branch = b.add("Conv2d", x, filters=rng.randint(1, 4), kernel=3, padding=1)
            merge = "Add" if kind == "residual" else "Concatenate"
            other = b.add("Conv2d", x, filters=b.network.node(branch).params["filters"], kernel=1) \
                if merge == "Add" else x
            x = b.add(merge, branch, other)
    x = b.chain(x, ("Flatten",), ("Dense", {"units": rng.randint(1, 5)}))
    b.add("Output", x)
    return b.network


@pytest.mark.parametrize("seed", range(25))
def test_random_valid_graphs_compile_with_inferred_shapes(seed):
    network = random_network(random.Random(seed))
    if not infer_shapes(network).ok:
        pytest.skip("this random graph shrinks the image below a kernel (inference refuses it)")
    assert_real_shapes_match(network)


@pytest.mark.parametrize("input_name, layer_name", [("class", "relu"), ("None", "relu"), ("self", "relu"),
                                                    ("x", "self")])
def test_keywords_and_self_as_layer_names_compile(input_name, layer_name):
    """Found by bench_robustness: an Input named after a Python keyword or `self` made the forward
    function a syntax error (or shadowed `self`), and so did a layer named `self`."""
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[4], name=input_name), ("ReLU", {}, layer_name), ("Dense", {"units": 3}, "fc"))
    b.add("Output", x)
    gm = compile_network(b.network)
    assert gm(torch.ones(2, 4)).shape == (2, 3)
