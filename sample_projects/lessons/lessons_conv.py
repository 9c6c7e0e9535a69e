"""Lessons 13-17: the convolution output size, AlexNet's conv1, LeNet-5, VGG-16's table, a ResNet block."""

from __future__ import annotations

from lesson_kit import MNIST_SMALL, QUICK, Lesson, single_layer

from engine.blocks.builtin import network_with
from engine.builder import NetworkBuilder
from engine.project import Project

NO_DATA: dict = {}
"""Structural lessons: nothing to train, the numbers are in the shapes (no dataset chosen)."""


def conv_size(padding: int) -> Project:
    out = (32 - 5 + 2 * padding) // 1 + 1
    network = single_layer([3, 32, 32], "Conv2d", {"filters": 6, "kernel": 5, "stride": 1, "padding": padding},
                           "conv")
    return Project(network, f"Lesson 13: convolution output size, P={padding}",
                   f"(W - F + 2P) / S + 1 = (32 - 5 + 2x{padding}) / 1 + 1 = {out}.", dict(NO_DATA), {})


def alexnet_conv1() -> Project:
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[3, 227, 227]), ("Conv2d", {"filters": 96, "kernel": 11, "stride": 4}, "conv1"),
                ("ReLU", {}, "relu1"))
    b.add("Output", x, loss="mse")
    return Project(b.finish(), "Lesson 14: AlexNet conv1",
                   "96 filters of 11x11x3 with stride 4 on a 227x227x3 image: (227 - 11) / 4 + 1 = 55, so "
                   "55x55x96 = 290,400 outputs from 96 x (11x11x3 + 1) = 34,944 parameters.", dict(NO_DATA), {})


def lenet5() -> Project:
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[1, 28, 28]), ("Conv2d", {"filters": 6, "kernel": 5, "padding": 2}, "c1"),
                ("ReLU",), ("MaxPool2d", {"kernel": 2, "stride": 2}, "s2"),
                ("Conv2d", {"filters": 16, "kernel": 5}, "c3"), ("ReLU",),
                ("MaxPool2d", {"kernel": 2, "stride": 2}, "s4"), ("Flatten",),
                ("Dense", {"units": 120}, "f5"), ("ReLU",), ("Dense", {"units": 84}, "f6"), ("ReLU",),
                ("Dense", {"units": 10}, "f7"))
    b.add("Output", x)
    return Project(b.finish(), "Lesson 15: LeNet-5",
                   "LeCun's LeNet-5 (ReLU and max-pooling): 28x28 -> 6x28x28 -> 6x14x14 -> 16x10x10 -> 16x5x5 "
                   "-> 120 -> 84 -> 10, 61,706 parameters.", {**MNIST_SMALL, "normalize": "channel"},
                   {**QUICK, "optimizer": "adam", "lr": 0.002, "batch_size": 64, "epochs": 2})


def vgg16() -> Project:
    from engine.importers import import_torchvision

    project = import_torchvision("vgg16", (3, 224, 224), flat=True).project
    project.name = "Lesson 16: VGG-16's memory and parameters"
    project.description = ("torchvision's VGG-16 for 224x224x3 images: 138,357,544 parameters, most of them in "
                           "the first fully connected layer; most of the activation memory in the first convs.")
    project.dataset, project.training = dict(NO_DATA), {}
    return project


def resnet_block() -> Project:
    b = NetworkBuilder(network_with("resnet_basic"))
    x = b.chain(b.add("Input", shape=[1, 28, 28]),
                ("Conv2d", {"filters": 16, "kernel": 3, "padding": 1, "bias": False}, "stem"),
                ("BatchNorm2d", {}, "stem_bn"), ("ReLU", {}, "stem_relu"), ("MaxPool2d", {}, "pool1"),
                ("Block", {"definition": "resnet_basic", "args": {"channels": 16}}, "block"),
                ("MaxPool2d", {}, "pool2"), ("Flatten", {}, "flatten"), ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "Lesson 17: a ResNet block",
                   "A stem, one resnet_basic block (two 3x3 conv-BN layers and an identity skip, ReLU after the "
                   "sum) at 14x14, a 2x2 max-pool and a classifier. Double-click the block to see inside.",
                   {**MNIST_SMALL, "normalize": "channel"},
                   {**QUICK, "optimizer": "adam", "lr": 0.003, "batch_size": 64, "epochs": 2})


LESSONS = [
    Lesson("13a_conv_no_padding", "Convolution output size: P=0", "13_conv_output_size.md", ["Activations"],
           "32x32x3, F=5, P=0, S=1 -> 28x28 (6x28x28)", lambda: conv_size(0)),
    Lesson("13b_conv_padding_2", "Convolution output size: P=2", "13_conv_output_size.md", ["Activations"],
           "32x32x3, F=5, P=2, S=1 -> 32x32 (6x32x32)", lambda: conv_size(2)),
    Lesson("14_alexnet_conv1", "AlexNet conv1", "14_alexnet_conv1.md", ["Filters", "Activations"],
           "227x227x3, 96 11x11 filters, stride 4 -> 55x55x96 = 290,400 outputs, 34,944 parameters",
           alexnet_conv1),
    Lesson("15_lenet5", "LeNet-5", "15_lenet5.md", ["Loss", "Filters", "Activations", "Confusion"],
           "61,706 parameters; 93.55 % test accuracy after 2 epochs (282 steps)", lenet5),
    Lesson("16_vgg16", "VGG-16: memory and parameters", "16_vgg16.md", ["Activations"],
           "138,357,544 parameters (102,764,544 in fc6); 15,237,608 stored values per image (about 61 MB)", vgg16),
    Lesson("17_resnet_block", "A ResNet block", "17_resnet_block.md", ["Gradient flow", "Activations", "Loss"],
           "4,672 parameters in the block (12,698 in all); 95.05 % test accuracy after 2 epochs", resnet_block),
]
