"""Regenerate the sample projects: `python sample_projects/build_samples.py`.

Each sample is written in code with the engine's NetworkBuilder, so the JSON files stay
consistent with the layer library. The dataset and training sections hold each sample's
settings (the training engine reads them).
"""

from __future__ import annotations

from pathlib import Path

from engine.blocks.builtin import network_with
from engine.builder import NetworkBuilder
from engine.project import Project

HERE = Path(__file__).resolve().parent
MNIST = {"source": "mnist", "task": "classification", "validation_split": 0.1}


def mnist_mlp() -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Flatten",), ("Dense", {"units": 16}, "hidden1"), ("Sigmoid", {}, "sigmoid1"),
                ("Dense", {"units": 16}, "hidden2"), ("Sigmoid", {}, "sigmoid2"),
                ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "MNIST perceptron 784-16-16-10",
                   "The course's first network: two hidden layers of 16 logistic units, 13,002 parameters.",
                   dict(MNIST), {"optimizer": "sgd", "lr": 0.5, "batch_size": 32, "epochs": 5})


def mnist_mlp_sklearn() -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Flatten",), ("Dense", {"units": 50}, "hidden"), ("ReLU",), ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "MNIST MLP 784-50-10 (scikit-learn setup)",
                   "scikit-learn's MLPClassifier example: one hidden layer of 50 ReLUs, SGD with Nesterov momentum.",
                   {"source": "mnist", "task": "classification"},
                   {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True,
                    "batch_size": 200, "epochs": 10, "weight_decay": 1e-4})


def lenet5() -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Conv2d", {"filters": 6, "kernel": 5, "padding": 2}, "c1"), ("ReLU",),
                ("MaxPool2d", {"kernel": 2, "stride": 2}, "s2"),
                ("Conv2d", {"filters": 16, "kernel": 5}, "c3"), ("ReLU",),
                ("MaxPool2d", {"kernel": 2, "stride": 2}, "s4"), ("Flatten",),
                ("Dense", {"units": 120}, "f5"), ("ReLU",), ("Dense", {"units": 84}, "f6"), ("ReLU",),
                ("Dense", {"units": 10}, "f7"))
    b.add("Output", x)
    return Project(b.finish(), "LeNet-5", "LeCun's LeNet-5 (with ReLU and max-pooling) for MNIST digits.",
                   {"source": "mnist", "task": "classification", "normalize": "channel"},
                   {"optimizer": "adam", "lr": 0.002, "batch_size": 64, "epochs": 2})


def resnet_mnist() -> Project:
    b = NetworkBuilder(network_with("resnet_basic", "resnet_stage"))
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Conv2d", {"filters": 16, "kernel": 3, "padding": 1, "bias": False}, "stem"),
                ("BatchNorm2d", {}, "stem_bn"), ("ReLU", {}, "stem_relu"),
                ("Block", {"definition": "resnet_basic", "args": {"channels": 16}}, "stage1"),
                ("Block", {"definition": "resnet_stage", "args": {"channels": 32, "stride": 2, "more": 1}}, "stage2"),
                ("GlobalAvgPool", {}, "gap"), ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "Small ResNet for MNIST",
                   "A stem, then built-in residual blocks: stage1 a resnet_basic block (identity skip) at 16 "
                   "channels, stage2 a resnet_stage (a resnet_down block with a strided 1x1 projection, then a "
                   "resnet_basic) at 32. Double-click a block to see inside. Two epochs reach about 98% test "
                   "accuracy.",
                   {**MNIST, "normalize": "channel"}, {"optimizer": "adam", "lr": 0.001, "batch_size": 64, "epochs": 2})


def vgg_mnist() -> Project:
    b = NetworkBuilder(network_with("vgg_stage"))
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Block", {"definition": "vgg_stage", "args": {"channels": 16, "convs": 1}}, "stage1"),
                ("Block", {"definition": "vgg_stage", "args": {"channels": 32, "convs": 2}}, "stage2"),
                ("Flatten", {}, "flatten"), ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "Small VGG for MNIST",
                   "Two built-in vgg_stage blocks (3x3 conv-ReLU layers, then a 2x2 max-pool): one convolution "
                   "of 16 channels, then two of 32. Its one epoch reaches about 98% test accuracy.",
                   {**MNIST, "normalize": "channel"}, {"optimizer": "adam", "lr": 0.002, "batch_size": 64, "epochs": 1})


def conv_autoencoder() -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Conv2d", {"filters": 16, "kernel": 3, "stride": 2, "padding": 1}, "down1"), ("ReLU",),
                ("Conv2d", {"filters": 4, "kernel": 3, "stride": 2, "padding": 1}, "code"), ("ReLU",),
                ("ConvTranspose2d", {"filters": 16, "kernel": 2, "stride": 2}, "up1"), ("ReLU",),
                ("ConvTranspose2d", {"filters": 1, "kernel": 2, "stride": 2}, "up2"), ("Sigmoid",))
    b.add("Output", x, loss="mse")
    return Project(b.finish(), "Convolutional autoencoder",
                   "Strided convolutions squeeze 28x28 digits (784 pixels) into a code of 4x7x7 = 196 numbers, a "
                   "quarter of the input; transposed convolutions rebuild them. The code must be smaller than the "
                   "input, or the network can learn to copy instead of to compress. After its 3 epochs the test "
                   "reconstruction error (mean squared, pixels in 0..1) is about 0.009 (0.0091 measured here).",
                   {"source": "mnist", "task": "reconstruction", "validation_split": 0.1},
                   {"optimizer": "adam", "lr": 0.002, "batch_size": 128, "epochs": 3})


def linear_autoencoder_pca() -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 28, 28])
    x = b.chain(x, ("Flatten",), ("Dense", {"units": 16}, "code"), ("Dense", {"units": 784}, "decode"),
                ("Reshape", {"shape": [1, 28, 28]}, "image"))
    b.add("Output", x, loss="mse")
    return Project(b.finish(), "Linear autoencoder = PCA",
                   "No activations: the best 16-unit code spans the same space as the top 16 principal components.",
                   {"source": "mnist", "task": "reconstruction", "validation_split": 0.1},
                   {"optimizer": "adam", "lr": 0.005, "batch_size": 256, "epochs": 10, "schedule": "cosine"})


def encoder_8_3_8() -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[8])
    x = b.chain(x, ("Dense", {"units": 3}, "code"), ("Sigmoid", {}, "hidden"), ("Dense", {"units": 8}, "decode"))
    b.add("Output", x, loss="bce")
    return Project(b.finish(), "8-3-8 encoder",
                   "Learns to squeeze eight one-hot inputs through three hidden units (a binary code).",
                   {"source": "one_hot_8", "task": "reconstruction"},
                   {"optimizer": "adam", "lr": 0.1, "batch_size": 0, "epochs": 1000, "checkpoint_every": 0})


def spiral_playground() -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[2])
    x = b.chain(x, ("Dense", {"units": 64}), ("ReLU",), ("Dense", {"units": 64}), ("ReLU",),
                ("Dense", {"units": 64}), ("ReLU",), ("Dense", {"units": 2}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "Spiral playground",
                   "Two interleaved spirals in 2-D: small enough to watch the decision boundary form. Three "
                   "ReLU layers of 64 units separate them within about 10 epochs (250 steps) and reach "
                   "99-100 % test accuracy in the 30 epochs set here.",
                   {"source": "spiral", "task": "classification", "samples": 1000, "noise": 0.1,
                    "validation_split": 0.2},
                   {"optimizer": "adam", "lr": 0.01, "batch_size": 32, "epochs": 30, "checkpoint_every": 0})


def vanishing_gradients() -> Project:
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[1, 28, 28]), ("Flatten",))
    for i in range(1, 9):
        x = b.chain(x, ("Dense", {"units": 32}, f"fc{i}"), ("Sigmoid", {}, f"sigmoid{i}"))
    x = b.chain(x, ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "Vanishing gradients",
                   "Eight sigmoid layers: watch the gradient shrink layer by layer on the way back.",
                   dict(MNIST), {"optimizer": "sgd", "lr": 0.1, "batch_size": 64, "epochs": 1})


SAMPLES = {f.__name__: f for f in (mnist_mlp, mnist_mlp_sklearn, lenet5, resnet_mnist, vgg_mnist, conv_autoencoder,
                                   linear_autoencoder_pca, encoder_8_3_8, spiral_playground, vanishing_gradients)}

if __name__ == "__main__":
    for file_name, make in SAMPLES.items():
        path = make().save(HERE / f"{file_name}.layerlab")
        print(f"wrote {path.name}")
