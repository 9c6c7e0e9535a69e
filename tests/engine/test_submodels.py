"""Splitting a compiled autoencoder at its code layer."""

import pytest
import torch

from engine.blocks.expand import flatten
from engine.compiler import compile_network, example_input
from engine.project import load_project
from engine.submodels import SplitError, split_at
from tests.conftest import ROOT


def test_encoder_then_decoder_equals_the_whole_model():
    network = load_project(ROOT / "sample_projects" / "conv_autoencoder.layerlab").network
    model = compile_network(network).eval()
    encoder, decoder = split_at(model, "relu2")
    x = example_input(network, batch=3)
    code = encoder(x)
    assert code.shape == (3, 4, 7, 7)  # the code: 4x7x7 = 196 values, a quarter of the input
    assert torch.allclose(decoder(code), model(x))
    assert decoder.up1 is model.up1  # weights are shared, not copied


def test_a_cut_bypassed_by_a_skip_connection_is_refused():
    blocks = load_project(ROOT / "sample_projects" / "resnet_mnist.layerlab").network
    model = compile_network(flatten(blocks))  # its residual blocks' layers at the top level
    with pytest.raises(SplitError, match="bottleneck"):
        split_at(model, "stage1_relu1")
