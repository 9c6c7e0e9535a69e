"""The AdaptiveAvgPool2d layer (added for VGG/AlexNet imports) agrees with torch."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from engine.errors import ShapeError
from engine.layers import get_spec


@pytest.mark.parametrize("in_shape, size", [((3, 13, 13), (6, 6)), ((8, 1, 1), (7, 7)), ((4, 9, 5), (1, 1)),
                                            ((2, 10, 10), (3, 4))])
def test_shape_and_output_match_torch(in_shape, size):
    spec = get_spec("AdaptiveAvgPool2d")
    params = spec.validate_params({"output_size": list(size)})
    cost = spec.infer(params, [in_shape])
    x = torch.randn(2, *in_shape)
    expected = nn.AdaptiveAvgPool2d(size)(x)
    assert cost.outputs["out"] == tuple(expected.shape[1:])
    assert cost.params == 0
    assert torch.equal(spec.build(params, [in_shape], frozenset({"out"}))(x), expected)


def test_needs_an_image():
    spec = get_spec("AdaptiveAvgPool2d")
    with pytest.raises(ShapeError, match="channels x height x width"):
        spec.infer(spec.defaults(), [(16,)])
