"""The built-in block library: the lecture's blocks, ready to drop into a project.

conv_bn_relu, conv_relu, resnet_basic (identity shortcut), resnet_down (a basic block whose 1×1
projection shortcut follows its stride and channels), resnet_stage (one resnet_down, then
resnet_basic repeated), resnet_bottleneck, vgg_stage (conv_relu repeated, then a 2×2 max-pool),
encoder_stage and decoder_stage (the convolutional autoencoder's halving and doubling steps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.blocks.definition import BlockDefinition, BlockLibrary
from engine.graph import Network
from engine.layout import apply_layout

A = dict[str, str]  # an argument reference, {"arg": name}


def arg(name: str) -> A:
    return {"arg": name}


class _Inner:
    """Builds a definition's network: a BlockInput 'in', layers, a BlockOutput 'out'."""

    def __init__(self, library: BlockLibrary) -> None:
        self.net = Network()
        self.net.library = library  # where nested blocks find their ports
        self.input = self.net.add_node("BlockInput", name="in")

    def chain(self, start: str, *layers: tuple[str, str, dict[str, Any]]) -> str:
        for type_id, name, params in layers:
            node = self.net.add_node(type_id, params, name=name)
            self.net.connect(start, node)
            start = node
        return start

    def finish(self, last: str) -> Network:
        self.net.connect(last, self.net.add_node("BlockOutput", name="out"))
        apply_layout(self.net, aspect=None)  # top to bottom, as the canvas shows a network
        return self.net


def _conv(channels: Any, kernel: Any = 3, stride: Any = 1, padding: Any = 1, bias: bool = False) -> dict:
    return {"filters": channels, "kernel": kernel, "stride": stride, "padding": padding, "bias": bias}


def conv_bn_relu(library: BlockLibrary) -> BlockDefinition:
    b = _Inner(library)
    last = b.chain(b.input, ("Conv2d", "conv", _conv(arg("channels"), arg("kernel"), arg("stride"), arg("padding"))),
                   ("BatchNorm2d", "bn", {}), ("ReLU", "relu", {}))
    return BlockDefinition("conv_bn_relu", b.finish(last), {"channels": 32, "kernel": 3, "stride": 1, "padding": 1},
                           "Convolution, batch normalization, ReLU.")


def conv_relu(library: BlockLibrary) -> BlockDefinition:
    b = _Inner(library)
    last = b.chain(b.input, ("Conv2d", "conv", _conv(arg("channels"), bias=True)), ("ReLU", "relu", {}))
    return BlockDefinition("conv_relu", b.finish(last), {"channels": 64}, "A 3×3 convolution (padding 1) and ReLU.")


def _residual(library: BlockLibrary, name: str, description: str, projection: bool) -> BlockDefinition:
    b = _Inner(library)
    main = b.chain(b.input, ("Conv2d", "conv1", _conv(arg("channels"), stride=arg("stride") if projection else 1)),
                   ("BatchNorm2d", "bn1", {}), ("ReLU", "relu1", {}),
                   ("Conv2d", "conv2", _conv(arg("channels"))), ("BatchNorm2d", "bn2", {}))
    return _join(b, main, name, description, {"channels": 64, **({"stride": 2} if projection else {})}, projection)


def _join(b: _Inner, main: str, name: str, description: str, args: dict, projection: bool) -> BlockDefinition:
    shortcut = b.input
    if projection:
        shortcut = b.chain(b.input, ("Conv2d", "downsample_conv", _conv(arg("channels"), 1, arg("stride"), 0)),
                           ("BatchNorm2d", "downsample_bn", {}))
    add = b.net.add_node("Add", name="add")
    b.net.connect(main, add)
    b.net.connect(shortcut, add)
    return BlockDefinition(name, b.finish(b.chain(add, ("ReLU", "relu", {}))), args, description)


def resnet_basic(library: BlockLibrary) -> BlockDefinition:
    return _residual(library, "resnet_basic", "ResNet basic block: two 3×3 conv-BN, identity shortcut (the input must "
                                     "have `channels` channels), ReLU after the sum.", projection=False)


def resnet_down(library: BlockLibrary) -> BlockDefinition:
    return _residual(library, "resnet_down", "ResNet basic block that changes size: its first conv and a 1×1 conv-BN "
                                    "shortcut take `stride` and `channels`.", projection=True)


def resnet_bottleneck(library: BlockLibrary) -> BlockDefinition:
    b = _Inner(library)
    main = b.chain(b.input, ("Conv2d", "conv1", _conv(arg("width"), 1, padding=0)), ("BatchNorm2d", "bn1", {}),
                   ("ReLU", "relu1", {}), ("Conv2d", "conv2", _conv(arg("width"), stride=arg("stride"))),
                   ("BatchNorm2d", "bn2", {}), ("ReLU", "relu2", {}),
                   ("Conv2d", "conv3", _conv(arg("channels"), 1, padding=0)), ("BatchNorm2d", "bn3", {}))
    return _join(b, main, "resnet_bottleneck", "ResNet bottleneck: 1×1 to `width`, 3×3 with `stride`, 1×1 to "
                 "`channels`, with a 1×1 conv-BN shortcut.", {"width": 64, "channels": 256, "stride": 1}, True)


def resnet_stage(library: BlockLibrary) -> BlockDefinition:
    b = _Inner(library)
    last = b.chain(b.input, ("Block", "down", {"definition": "resnet_down",
                                               "args": {"channels": arg("channels"), "stride": arg("stride")}}),
                   ("Block", "blocks", {"definition": "resnet_basic", "args": {"channels": arg("channels")},
                                        "repeat": arg("more")}))
    return BlockDefinition("resnet_stage", b.finish(last), {"channels": 128, "stride": 2, "more": 1},
                           "A ResNet stage: one resnet_down, then `more` resnet_basic blocks.")


def vgg_stage(library: BlockLibrary) -> BlockDefinition:
    b = _Inner(library)
    last = b.chain(b.input, ("Block", "convs", {"definition": "conv_relu", "args": {"channels": arg("channels")},
                                                "repeat": arg("convs")}),
                   ("MaxPool2d", "pool", {"kernel": 2, "stride": 2}))
    return BlockDefinition("vgg_stage", b.finish(last), {"channels": 64, "convs": 2},
                           "A VGG stage: `convs` 3×3 conv-ReLU layers, then a 2×2 max-pool.")


def encoder_stage(library: BlockLibrary) -> BlockDefinition:
    b = _Inner(library)
    last = b.chain(b.input, ("Conv2d", "down", _conv(arg("channels"), stride=2, bias=True)), ("ReLU", "relu", {}))
    return BlockDefinition("encoder_stage", b.finish(last), {"channels": 16},
                           "An encoder step of the convolutional autoencoder: a 3×3 conv with stride 2 (half the "
                           "size), ReLU.")


def decoder_stage(library: BlockLibrary) -> BlockDefinition:
    b = _Inner(library)
    last = b.chain(b.input, ("ConvTranspose2d", "up", {"filters": arg("channels"), "kernel": 2, "stride": 2}),
                   ("ReLU", "relu", {}))
    return BlockDefinition("decoder_stage", b.finish(last), {"channels": 16},
                           "A decoder step of the convolutional autoencoder: a 2×2 transposed conv with stride 2 "
                           "(twice the size), ReLU.")


BUILTIN: tuple[Callable[[BlockLibrary], BlockDefinition], ...] = (
    conv_bn_relu, conv_relu, resnet_basic, resnet_down, resnet_stage, resnet_bottleneck, vgg_stage,
    encoder_stage, decoder_stage)


def builtin_library() -> BlockLibrary:
    """A fresh library of every built-in definition (nested ones are made before those using them)."""
    library = BlockLibrary()
    for make in BUILTIN:
        library.add(make(library))
    return library


def add_builtin(network: Network, name: str) -> tuple[Network, str]:
    """The network with the built-in definition `name`, and those it uses, in a copy of its library;
    returns the new network and the name. A definition of that name already in the library is used
    as it is (it may have been edited)."""
    builtin = builtin_library()
    library = network.library.copy() if network.library is not None else BlockLibrary()
    needed, todo = [], [name]
    while todo:
        current = builtin.definition(todo.pop())
        if current.name not in needed:
            needed.append(current.name)
            todo.extend(sorted(current.used_definitions()))
    for wanted in reversed(needed):  # nested definitions first
        if wanted not in library:
            library.add(builtin.definition(wanted))
    outer = network.copy()
    outer.library = library
    return outer, name


def network_with(*names: str) -> Network:
    """An empty network whose library holds the built-in definitions `names` (and those they use)."""
    network = Network()
    for name in names:
        network, _ = add_builtin(network, name)
    return network
