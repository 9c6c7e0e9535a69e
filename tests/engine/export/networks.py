"""Small networks for export tests that together use every layer type in the library."""

from __future__ import annotations

from engine.builder import NetworkBuilder
from engine.project import Project


def every_layer_project() -> Project:
    """One network using every layer type (tiny sizes, so every export is quick)."""
    b = NetworkBuilder()
    x = b.add("Input", shape=[2, 8, 8])
    x = b.chain(x, ("Conv2d", {"filters": 4, "kernel": 3, "padding": 1}, "conv"), ("BatchNorm2d", {}, "bn"),
                ("LeakyReLU", {"negative_slope": 0.1}, "leaky"))
    pool = b.add("MaxPool2d", x, name="pool")
    up = b.add("MaxUnpool2d", pool, name="unpool")
    b.network.connect(pool, up, "indices", "indices")
    nails = b.chain(pool, ("BedOfNails", {}, "nails"))
    near = b.chain(pool, ("UpsampleNearest", {}, "near"))
    deconv = b.chain(pool, ("ConvTranspose2d", {"filters": 4}, "deconv"), ("GELU", {}, "gelu"))
    merged = b.add("Concatenate", up, nails, name="cat")
    prod = b.add("Multiply", near, deconv, name="mul")
    x = b.add("Concatenate", merged, prod, name="cat2")
    x = b.chain(x, ("AvgPool2d", {}, "avg"), ("AdaptiveAvgPool2d", {"output_size": [2, 2]}, "adaptive"),
                ("Tanh", {}, "tanh"), ("Flatten", {}, "flat"), ("Dense", {"units": 12}, "fc"),
                ("BatchNorm1d", {}, "bn1d"), ("Sigmoid", {}, "sig"), ("Dropout", {"p": 0.2}, "drop"),
                ("Reshape", {"shape": [3, 4]}, "reshape"), ("LayerNorm", {}, "ln"), ("Flatten", {}, "flat2"),
                ("Identity", {}, "ident"), ("ReLU", {}, "relu"), ("Dense", {"units": 5}, "scores"),
                ("Softmax", {}, "softmax"))
    gap_in = b.add("GlobalAvgPool", b.network.find("conv"), name="gap")
    side = b.chain(b.network.find("conv"), ("ReLU6", {}, "relu6"), ("SiLU", {}, "silu"), ("Mish", {}, "mish"),
                   ("Hardswish", {}, "hswish"), ("Softplus", {"beta": 2.0}, "softplus"),
                   ("GELU", {"approximate": "tanh"}, "gelu_tanh"), ("ChannelShuffle", {"groups": 2}, "shuffle"),
                   ("StochasticDepth", {"p": 0.1}, "droppath"), ("Permute", {"dims": [2, 3, 1]}, "to_last"),
                   ("Dense", {"units": 4, "per_position": True}, "pointwise"),
                   ("LayerNorm", {"over": "last_axis"}, "ln_last"), ("Permute", {"dims": [3, 1, 2]}, "to_first"),
                   ("LayerNorm2d", {}, "ln2d"), ("Scale", {"init": 0.5}, "scale"),
                   ("ChannelChunk", {"chunks": 2, "index": 1}, "chunk"),
                   ("MaxPool2d", {"kernel": 3, "stride": 2, "ceil_mode": True}, "ceilpool"))
    gate = b.chain(side, ("AdaptiveMaxPool2d", {"output_size": 1}, "gmp"), ("Hardsigmoid", {}, "hsig"))
    gated = b.chain(b.add("Multiply", gate, side, name="se"), ("Flatten", {}, "flat3"),
                    ("Dense", {"units": 5}, "se_fc"))
    tokens = b.chain(b.network.find("pool"), ("Reshape", {"shape": [4, 16]}, "to_seq"),
                     ("Permute", {"dims": [2, 1]}, "seq_last"), ("ClassToken", {}, "cls"),
                     ("PositionEmbedding", {}, "pos"), ("SelfAttention", {"heads": 2}, "attn"),
                     ("SelectToken", {"index": 0}, "first"), ("Dense", {"units": 5}, "cls_fc"))
    x = b.add("Add", x, b.chain(gap_in, ("Dense", {"units": 5}, "gap_fc")), gated, tokens, name="add")
    b.add("Output", x, loss="mse")
    return Project(b.finish(), "Every layer", "Uses every layer type once.", {}, {})
