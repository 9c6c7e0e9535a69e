"""Every layer spec owns its per-layer knowledge, consistently: `from_module` inverts `build` (import
reads back exactly what LayerLab builds), `source` is Python that builds the same module (code
export), and the card summary comes from the spec. Params and input shapes are drawn from each
spec's own declarations, so a new layer type is covered without changing this file."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from torch import nn

from engine.errors import ShapeError
from engine.graph import Network
from engine.layers import ROLES, SPECS, LayerSpec, Param, get_spec, spec_for_module
from engine.layers import modules as custom_modules
from engine.layers.call import differing_argument
from tests.engine.export.networks import every_layer_project

MODULE_SPECS = [spec for spec in SPECS.values() if spec.role not in ("input", "output")]
"""Layers that become modules of the compiled model (the Input and Output become its argument and result)."""

SOURCE_NAMESPACE = {"nn": nn, **{name: cls for name, cls in vars(custom_modules).items() if isinstance(cls, type)},
                    "init_weights": custom_modules.init_weights}
"""What exported source sees: torch's nn, and LayerLab's own modules and init_weights copied in."""


def _value(param: Param) -> st.SearchStrategy:
    """Small valid values of a parameter (small, so that most drawn layers fit small inputs)."""
    low = param.minimum if param.minimum is not None else 1
    high = param.maximum if param.maximum is not None else low + 2
    ints = st.integers(int(low), int(min(high, low + 2)))
    return {"int": ints, "pair": st.tuples(ints, ints), "bool": st.booleans(),
            "float": st.floats(low, min(high, low + 1.0), allow_nan=False),
            "choice": st.sampled_from(param.choices or ("",)),
            "shape": st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)}[param.kind]


@st.composite
def layers(draw, spec: LayerSpec) -> tuple[dict, list[tuple[int, ...]]]:
    """Checked params and input shapes that fit them: features, channels x length or an image, the
    first that fits (every input the same shape; two on a port that takes many)."""
    image = (draw(st.sampled_from([1, 2, 3, 6])), draw(st.integers(3, 8)), draw(st.integers(3, 8)))
    raw = {p.name: draw(_value(p)) for p in spec.params}
    for shape in draw(st.permutations([image[:1], image[:2], image])):
        if spec.type_id == "Reshape":  # a target with the input's number of values
            raw["shape"] = draw(st.permutations(shape).map(tuple))
        params = spec.validate_params(raw)
        in_shapes = [shape for port in spec.inputs for _ in range(2 if port.multi else 1)]
        try:
            cost = spec.infer(params, in_shapes)
        except ShapeError:
            continue
        if all(size > 0 for out in cost.outputs.values() for size in out):
            return params, in_shapes
    assume(False)


EXAMPLES = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.parametrize("spec", MODULE_SPECS, ids=lambda spec: spec.type_id)
@EXAMPLES
@given(data=st.data())
def test_from_module_inverts_build(spec, data):
    params, in_shapes = data.draw(layers(spec))
    module = spec.build(params, in_shapes)
    assert spec_for_module(module) is spec, f"{type(module)} is not among {spec.type_id}'s module_types"
    found = spec.from_module(module)
    if any(p.name == "init" and p.kind == "choice" for p in spec.params):  # weight initialization:
        params = {**params, "init": "default"}  # a module does not say how its weights were first drawn
    if spec.fit_input is None:
        assert found == params
    else:  # params read from the input shape: the same module (a Dense at each position of a flat input is a Dense)
        found = spec.validate_params(found | spec.fit_input(module, in_shapes))
        assert spec.source(found, in_shapes) == spec.source(params, in_shapes)


@pytest.mark.parametrize("spec", MODULE_SPECS, ids=lambda spec: spec.type_id)
@EXAMPLES
@given(data=st.data())
def test_source_builds_the_same_module(spec, data):
    """The exported constructor builds the module `build` does, whose shapes and parameter count
    are those `infer` gives."""
    params, in_shapes = data.draw(layers(spec))
    cost = spec.infer(params, in_shapes)
    used = frozenset(cost.outputs)  # every output wired (MaxPool2d's indices too)
    built = spec.build(params, in_shapes, used)
    assert sum(p.numel() for p in built.parameters()) == cost.params
    made = eval(spec.source(params, in_shapes, used), dict(SOURCE_NAMESPACE))
    assert type(made) is type(built)
    assert {k: v.shape for k, v in made.state_dict().items()} == {k: v.shape for k, v in built.state_dict().items()}
    assert differing_argument(built, made) is None, spec.source(params, in_shapes, used)
    if all(port.name == "in" for port in spec.inputs):
        made.load_state_dict(built.state_dict())
        x = [torch.randn(2, *shape) for shape in in_shapes]
        with torch.no_grad():
            expected, got = built.eval()(*x), made.eval()(*x)
        expected, got = (v if isinstance(v, tuple) else (v,) for v in (expected, got))
        for port, a, b in zip(spec.outputs, expected, got):
            assert tuple(a.shape[1:]) == cost.outputs[port]
            assert torch.equal(a, b)


def test_every_spec_declares_what_import_and_export_need():
    for spec in SPECS.values():
        assert spec.role in ROLES
        if spec in MODULE_SPECS:
            assert spec.from_module is not None and spec.module_types, spec.type_id
    for role in ("input", "output"):
        assert len([s for s in SPECS.values() if s.role == role]) == 1


def test_the_export_tests_network_uses_every_layer_type():
    """Every export format is checked on this network, so a new layer type must be in it."""
    network = every_layer_project().network
    assert {network.spec(n).type_id for n in network.node_ids} == set(SPECS)


def test_reshape_reads_back_the_size_a_minus_one_stood_for():
    spec = get_spec("Reshape")
    params = spec.validate_params({"shape": [-1, 3]})
    module = spec.build(params, [(2, 6)])
    assert spec.from_module(module) == {"shape": (4, 3)}
    assert spec.source(spec.from_module(module), [(2, 6)]) == spec.source(params, [(2, 6)])


def test_a_module_of_no_layer_type_has_no_spec():
    assert spec_for_module(nn.PReLU()) is None
    assert spec_for_module(nn.ReLU()) is get_spec("ReLU")


@pytest.mark.parametrize("type_id, params, text", [
    ("Conv2d", {"filters": 6, "kernel": 5, "padding": 2}, "5×5, stride 1, pad 2, 6 filters"),
    ("Conv2d", {"filters": 4, "kernel": [3, 1], "stride": [2, 1], "dilation": 2, "groups": 2, "bias": False},
     "3×1, stride 2×1, dilation 2, 2 groups, 4 filters, no bias"),
    ("ConvTranspose2d", {"filters": 16}, "2×2, stride 2, 16 filters"),
    ("MaxPool2d", {}, "2×2, stride 2"),
    ("Dense", {"units": 10, "bias": False}, "10 units, no bias"),
    ("Input", {"shape": [1, 28, 28]}, "1×28×28"),
    ("Output", {"loss": "cross_entropy", "label_smoothing": 0.1}, "cross entropy"),
    ("Dropout", {"p": 0.25}, "p = 0.25"),
    ("LeakyReLU", {}, "slope 0.01"),
    ("UpsampleNearest", {"scale": [3, 2]}, "scale ×3×2"),
    ("BatchNorm2d", {}, ""),
    ("Conv2d", {"filters": {"arg": "channels"}, "kernel": 3, "padding": 1}, "3×3, stride 1, pad 1, filters ← channels"),
])
def test_card_summary_names_the_key_params(type_id, params, text):
    spec = get_spec(type_id)
    assert spec.summary(spec.validate_params(params)) == text


def test_roles_find_the_network_ends():
    net = Network()
    first = net.add_node("Input", {"shape": [4]})
    relu = net.add_node("ReLU")
    last = net.add_node("Output")
    net.connect(first, relu)
    net.connect(relu, last)
    assert net.nodes_with_role("input") == [first] and net.nodes_with_role("output") == [last]
    assert net.nodes_with_role("activation") == [relu] and net.spec(relu).can_die
    with pytest.raises(ValueError, match="roles: input"):
        net.nodes_with_role("Input")


@pytest.mark.parametrize("spec", [s for s in SPECS.values() if s.size_param], ids=lambda s: s.type_id)
def test_a_size_param_alone_sets_how_many_values_a_flat_layer_gives(spec):
    params = spec.validate_params({spec.size_param: 7})
    assert spec.infer(params, [(5,)]).outputs["out"] == (7,)


def test_the_size_param_is_declared_for_dense_and_must_be_an_int_parameter():
    assert get_spec("Dense").size_param == "units" and not get_spec("Conv2d").size_param
    with pytest.raises(ValueError, match="size_param 'bias' is not an int parameter"):
        LayerSpec("X", "Dense", "X", "", infer=lambda p, ins: None, constructor=None,
                  params=(Param("bias", "bool", True, ""),), size_param="bias")
