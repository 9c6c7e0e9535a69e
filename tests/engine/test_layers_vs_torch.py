"""Every layer's inferred shape and parameter count must equal the real torch module's."""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import ShapeError
from engine.layers import SPECS, get_spec


def check_against_torch(type_id: str, params: dict, *in_shapes: tuple[int, ...]) -> None:
    spec = get_spec(type_id)
    values = spec.validate_params(params)
    cost = spec.infer(values, list(in_shapes))
    used = frozenset(cost.outputs)
    module = spec.build(values, list(in_shapes), used)
    inputs = [torch.randn(2, *s) for s in in_shapes]
    with torch.no_grad():
        result = module(*inputs)
    results = result if isinstance(result, tuple) else (result,)
    for port, tensor in zip(spec.outputs or ("out",), results):
        assert tuple(tensor.shape[1:]) == cost.outputs[port], (type_id, values, in_shapes, port)
    assert sum(p.numel() for p in module.parameters()) == cost.params, (type_id, values)


def _infer_or_skip(type_id: str, params: dict, *shapes: tuple[int, ...]) -> None:
    """Hypothesis draws some impossible combinations: LayerLab must refuse exactly those where torch
    fails or gives an empty output."""
    try:
        check_against_torch(type_id, params, *shapes)
    except ShapeError:
        spec = get_spec(type_id)
        values = spec.validate_params(params)
        try:
            module = spec.build(values, list(shapes), frozenset({"out"}))
            out = module(*[torch.randn(2, *s) for s in shapes])
        except (RuntimeError, ValueError):
            return
        assert out.numel() == 0, f"LayerLab refused {type_id} {values} on {shapes} but torch accepts it"


pair = st.tuples(st.integers(1, 4), st.integers(1, 4))
small_pair = st.tuples(st.integers(0, 2), st.integers(0, 2))
image = st.tuples(st.integers(1, 4), st.integers(1, 12), st.integers(1, 12))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(image, st.integers(1, 6), pair, pair, small_pair, st.tuples(st.integers(1, 2), st.integers(1, 2)),
       st.sampled_from([1, 2]), st.booleans())
def test_conv2d(shape, filters, kernel, stride, padding, dilation, groups, bias):
    _infer_or_skip("Conv2d", dict(filters=filters * groups, kernel=kernel, stride=stride, padding=padding,
                                  dilation=dilation, groups=groups, bias=bias), (shape[0] * groups,) + shape[1:])


@FAST
@given(image, st.integers(1, 6), pair, pair, small_pair, small_pair, st.booleans())
def test_conv_transpose2d(shape, filters, kernel, stride, padding, output_padding, bias):
    _infer_or_skip("ConvTranspose2d", dict(filters=filters, kernel=kernel, stride=stride, padding=padding,
                                           output_padding=output_padding, bias=bias), shape)


@FAST
@given(image, pair, pair, small_pair, st.sampled_from(["MaxPool2d", "AvgPool2d"]), st.booleans())
def test_pooling(shape, kernel, stride, padding, type_id, ceil_mode):
    _infer_or_skip(type_id, dict(kernel=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode), shape)


@pytest.mark.parametrize("size, kernel, stride, padding", [(55, 3, 2, 0), (13, 3, 2, 1), (6, 2, 2, 1), (7, 3, 3, 1)])
def test_ceil_mode_rounds_up_as_torch(size, kernel, stride, padding):
    """SqueezeNet's 55 -> 27 pool, and a last window that would start in the padding."""
    check_against_torch("MaxPool2d", dict(kernel=kernel, stride=stride, padding=padding, ceil_mode=True),
                        (2, size, size))


@FAST
@given(image, pair, st.sampled_from(["AdaptiveAvgPool2d", "AdaptiveMaxPool2d"]))
def test_adaptive_pooling(shape, size, type_id):
    check_against_torch(type_id, dict(output_size=size), shape)


@FAST
@given(st.integers(1, 50), st.integers(1, 50), st.booleans())
def test_dense(features, units, bias):
    check_against_torch("Dense", dict(units=units, bias=bias), (features,))


@FAST
@given(image, pair)
def test_upsampling(shape, scale):
    check_against_torch("UpsampleNearest", dict(scale=scale), shape)
    check_against_torch("BedOfNails", dict(scale=scale), shape)


@pytest.mark.parametrize("type_id", ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "GELU", "Identity", "Softmax",
                                     "ReLU6", "SiLU", "Mish", "Hardswish", "Hardsigmoid", "Softplus",
                                     "Dropout", "StochasticDepth", "LayerNorm", "Flatten", "Output"])
@pytest.mark.parametrize("shape", [(7,), (3, 5, 5)])
def test_shape_preserving_and_simple_layers(type_id, shape):
    check_against_torch(type_id, {}, shape)


@pytest.mark.parametrize("shape", [(6,), (4, 9)])
def test_batchnorm1d(shape):
    check_against_torch("BatchNorm1d", {}, shape)


def test_batchnorm2d_and_global_pool():
    check_against_torch("BatchNorm2d", {}, (3, 5, 5))
    check_against_torch("GlobalAvgPool", {}, (3, 5, 5))


@pytest.mark.parametrize("type_id", ["Add", "Multiply"])
def test_elementwise_merges(type_id):
    check_against_torch(type_id, {}, (3, 4, 4), (3, 4, 4), (3, 4, 4))


@pytest.mark.parametrize("shapes", [[(3, 1, 1), (3, 4, 4)], [(3, 4, 4), (3, 1, 1)], [(1, 4, 1), (3, 1, 5)]])
def test_multiply_broadcasts_sizes_of_one(shapes):
    """A squeeze-excitation gate (C x 1 x 1) scales each channel of its C x H x W input."""
    check_against_torch("Multiply", {}, *shapes)


@pytest.mark.parametrize("shapes", [[(3, 2, 2), (3, 4, 4)], [(3,), (3, 4, 4)]])
def test_multiply_refuses_shapes_that_do_not_broadcast(shapes):
    with pytest.raises(ShapeError, match="size 1 where they differ"):
        get_spec("Multiply").infer({}, shapes)


def test_activations_equal_torch_functions():
    x = torch.linspace(-8, 8, 101).reshape(1, 101)
    gelu = get_spec("GELU")
    tanh_gelu = gelu.build(gelu.validate_params({"approximate": "tanh"}), [(101,)])
    assert torch.equal(tanh_gelu(x), torch.nn.functional.gelu(x, approximate="tanh"))
    assert "approximate='tanh'" in gelu.source({"approximate": "tanh"}, [(101,)])
    for type_id, function in [("ReLU6", torch.nn.functional.relu6), ("SiLU", torch.nn.functional.silu),
                              ("Hardswish", torch.nn.functional.hardswish), ("Mish", torch.nn.functional.mish),
                              ("Hardsigmoid", torch.nn.functional.hardsigmoid)]:
        assert torch.equal(get_spec(type_id).build({}, [(101,)])(x), function(x)), type_id


@pytest.mark.parametrize("dims", [(2, 3, 1), (3, 1, 2), (1, 2, 3)])
def test_permute(dims):
    check_against_torch("Permute", {"dims": dims}, (2, 3, 4))


def test_permute_refuses_axes_that_are_not_a_permutation():
    with pytest.raises(ShapeError, match="1..3 in some order"):
        get_spec("Permute").infer({"dims": (1, 2, 2)}, [(2, 3, 4)])


@pytest.mark.parametrize("shape", [(5,), (3, 5), (4, 3, 5)])
def test_dense_and_layer_norm_at_each_position(shape):
    check_against_torch("Dense", {"units": 6, "per_position": True}, shape)
    check_against_torch("LayerNorm", {"over": "last_axis"}, shape)
    assert get_spec("LayerNorm").build(get_spec("LayerNorm").validate_params({"over": "last_axis"}),
                                       [shape]).normalized_shape == (shape[-1],)


def test_dense_refuses_an_image_unless_applied_at_each_position():
    with pytest.raises(ShapeError, match="add a Flatten layer"):
        get_spec("Dense").infer(get_spec("Dense").validate_params({}), [(3, 4, 4)])


def test_layer_norm2d_and_scale_equal_convnext_s():
    check_against_torch("LayerNorm2d", {}, (6, 3, 4))
    check_against_torch("Scale", {}, (6, 3, 4))
    x = torch.randn(2, 6, 3, 4)
    norm = get_spec("LayerNorm2d").build({"eps": 1e-6}, [(6, 3, 4)])
    expected = torch.nn.functional.layer_norm(x.permute(0, 2, 3, 1), (6,), eps=1e-6).permute(0, 3, 1, 2)
    assert torch.allclose(norm(x), expected, atol=1e-6)
    scale = get_spec("Scale").build({"init": 0.5}, [(6, 3, 4)])
    assert scale.weight.shape == (6, 1, 1) and torch.equal(scale(x), 0.5 * x)


@pytest.mark.parametrize("type_id, params", [("ClassToken", {}), ("PositionEmbedding", {}),
                                              ("SelfAttention", {"heads": 2}), ("SelectToken", {"index": 3})])
def test_token_layers(type_id, params):
    check_against_torch(type_id, params, (5, 8))


def test_self_attention_equals_torch_multihead_attention_of_a_sequence_to_itself():
    spec = get_spec("SelfAttention")
    layer = spec.build(spec.validate_params({"heads": 2}), [(5, 8)]).eval()
    reference = torch.nn.MultiheadAttention(8, 2, batch_first=True).eval()
    reference.load_state_dict(layer.state_dict())
    x = torch.randn(3, 5, 8)
    assert torch.equal(layer(x), reference(x, x, x, need_weights=False)[0])
    with pytest.raises(ShapeError, match="heads must divide"):
        spec.infer(spec.validate_params({"heads": 3}), [(5, 8)])
    with pytest.raises(ShapeError, match="positions x channels"):
        spec.infer(spec.validate_params({"heads": 2}), [(2, 5, 8)])


def test_class_token_goes_first_and_select_token_takes_it_back():
    token = get_spec("ClassToken").build({}, [(5, 8)])
    x = torch.randn(3, 5, 8)
    y = token(x)
    assert y.shape == (3, 6, 8) and torch.equal(y[:, 1:], x)
    assert torch.equal(get_spec("SelectToken").build({"index": 0}, [(6, 8)])(y), token.weight.expand(3, 1, 8)[:, 0])


def test_channel_shuffle_interleaves_groups():
    check_against_torch("ChannelShuffle", {"groups": 2}, (6, 3, 3))
    module = get_spec("ChannelShuffle").build({"groups": 2}, [(4, 1, 1)])
    assert module(torch.arange(4.0).reshape(1, 4, 1, 1)).flatten().tolist() == [0, 2, 1, 3]
    with pytest.raises(ShapeError, match="divisible"):
        get_spec("ChannelShuffle").infer({"groups": 4}, [(6, 3, 3)])


@pytest.mark.parametrize("channels, chunks", [(6, 2), (7, 2), (7, 3), (5, 4)])
def test_channel_chunk_equals_torch_chunk(channels, chunks):
    x = torch.randn(2, channels, 3, 3)
    parts = x.chunk(chunks, dim=1)
    spec = get_spec("ChannelChunk")
    for index in range(chunks):
        if index >= len(parts):
            with pytest.raises(ShapeError, match="no chunk"):
                spec.infer({"chunks": chunks, "index": index}, [(channels, 3, 3)])
            continue
        check_against_torch("ChannelChunk", {"chunks": chunks, "index": index}, (channels, 3, 3))
        assert torch.equal(spec.build({"chunks": chunks, "index": index}, [(channels, 3, 3)])(x), parts[index])


def test_stochastic_depth_is_the_identity_in_eval_mode_and_drops_whole_samples_in_training():
    spec = get_spec("StochasticDepth")
    module = spec.build(spec.validate_params({"p": 0.5}), [(3, 4, 4)])
    x = torch.randn(64, 3, 4, 4)
    assert torch.equal(module.eval()(x), x)
    y = module.train()(x)
    kept = (y != 0).flatten(1).any(dim=1)
    assert 0 < kept.sum() < 64 and torch.allclose(y[kept], 2 * x[kept])


def test_concatenate_on_channels():
    check_against_torch("Concatenate", {}, (3, 4, 4), (5, 4, 4))


@pytest.mark.parametrize("target", [[4, 9], [-1, 3], [36]])
def test_reshape(target):
    check_against_torch("Reshape", {"shape": target}, (1, 6, 6))


def test_max_unpool_inverts_the_paired_pool():
    pool = get_spec("MaxPool2d")
    params = pool.validate_params({"kernel": 2, "stride": 2})
    module = pool.build(params, [(3, 8, 8)], frozenset({"out", "indices"}))
    x = torch.randn(2, 3, 8, 8)
    out, indices = module(x)
    unpool = get_spec("MaxUnpool2d")
    values = unpool.validate_params({"kernel": 2, "stride": 2})
    assert unpool.infer(values, [(3, 4, 4), (3, 4, 4)]).outputs["out"] == (3, 8, 8)
    restored = unpool.build(values, [(3, 4, 4)] * 2, frozenset())(out, indices)
    assert restored.shape == x.shape
    assert torch.equal(restored.amax(dim=(2, 3)), x.amax(dim=(2, 3)))


def test_bed_of_nails_inserts_zeros():
    spec = get_spec("BedOfNails")
    module = spec.build(spec.validate_params({"scale": [2, 3]}), [(1, 2, 2)], frozenset())
    x = torch.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    y = module(x)
    assert y.shape == (1, 1, 4, 6)
    assert torch.equal(y[0, 0, ::2, ::3], x[0, 0]) and y.sum() == x.sum()


def test_every_layer_has_a_complete_spec():
    for spec in SPECS.values():
        assert spec.description.endswith("."), spec.type_id
        assert spec.category and spec.display_name and spec.glyph
        for param in spec.params:
            assert param.help, (spec.type_id, param.name)
            param.validate(param.default)
