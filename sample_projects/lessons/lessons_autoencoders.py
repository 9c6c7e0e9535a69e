"""Lessons 18-21: the 8-3-8 encoder, PCA as a linear autoencoder, unpooling, a convolutional autoencoder."""

from __future__ import annotations

from lesson_kit import QUICK, Lesson, single_layer

from engine.builder import NetworkBuilder
from engine.project import Project

RECONSTRUCT = {"source": "mnist", "task": "reconstruction", "validation_split": 0.1, "subset": 10000,
               "test_subset": 2000}


def encoder_8_3_8() -> Project:
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[8]), ("Dense", {"units": 3}, "code"), ("Sigmoid", {}, "hidden"),
                ("Dense", {"units": 8}, "decode"))
    b.add("Output", x, loss="bce")
    return Project(b.finish(), "Lesson 18: the 8-3-8 encoder",
                   "Eight one-hot inputs squeezed through three hidden units come back out: a binary code.",
                   {"source": "one_hot_8", "task": "reconstruction"},
                   {**QUICK, "optimizer": "adam", "lr": 0.1, "batch_size": 0, "epochs": 1000,
                    "snapshot_every": 50})


def linear_autoencoder() -> Project:
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[1, 28, 28]), ("Flatten",), ("Dense", {"units": 16}, "code"),
                ("Dense", {"units": 784}, "decode"), ("Reshape", {"shape": [1, 28, 28]}, "image"))
    b.add("Output", x, loss="mse")
    return Project(b.finish(), "Lesson 19: PCA as a linear autoencoder",
                   "No activations: the best 16-unit code spans the same space as the top 16 principal "
                   "components, so the reconstruction error approaches PCA's.", dict(RECONSTRUCT),
                   {**QUICK, "optimizer": "adam", "lr": 0.005, "batch_size": 256, "epochs": 20, "schedule": "cosine"})


def upsample(layer: str) -> Project:
    network = single_layer([1, 2, 2], layer, {"scale": [2, 2]}, "unpool")
    return Project(network, f"Lesson 20: {layer}", "2x2 in, 4x4 out; no weights.", {}, {})


def max_unpool() -> Project:
    b = NetworkBuilder()
    pool = b.add("Input", shape=[1, 4, 4])
    pool = b.add("MaxPool2d", pool, name="pool", kernel=[2, 2], stride=[2, 2])
    unpool = b.add("MaxUnpool2d", pool, name="unpool", kernel=[2, 2], stride=[2, 2])
    b.network.connect(pool, unpool, "indices", "indices")
    b.add("Output", unpool, loss="mse")
    return Project(b.finish(), "Lesson 20: max-unpooling",
                   "A 2x2 max-pool remembers where each maximum was; MaxUnpool2d puts values back there.", {}, {})


def transposed_conv() -> Project:
    network = single_layer([1, 2, 2], "ConvTranspose2d", {"filters": 1, "kernel": [3, 3], "stride": [2, 2],
                                                          "padding": [1, 1], "output_padding": [1, 1],
                                                          "bias": False}, "upconv")
    return Project(network, "Lesson 20: transposed convolution",
                   "3x3 kernel, stride 2, padding 1: each input value stamps a scaled copy of the kernel; "
                   "overlaps add up. 2x2 in, 4x4 out.", {}, {})


def conv_autoencoder() -> Project:
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[1, 28, 28]),
                ("Conv2d", {"filters": 16, "kernel": 3, "stride": 2, "padding": 1}, "down1"), ("ReLU",),
                ("Conv2d", {"filters": 4, "kernel": 3, "stride": 2, "padding": 1}, "code"), ("ReLU", {}, "code_relu"),
                ("ConvTranspose2d", {"filters": 16, "kernel": 2, "stride": 2}, "up1"), ("ReLU",),
                ("ConvTranspose2d", {"filters": 1, "kernel": 2, "stride": 2}, "up2"), ("Sigmoid", {}, "image"))
    b.add("Output", x, loss="mse")
    return Project(b.finish(), "Lesson 21: a convolutional autoencoder",
                   "Strided convolutions squeeze 28x28 digits (784 pixels) into a 4x7x7 code (196 numbers, a "
                   "quarter of the input); transposed convolutions rebuild them.", dict(RECONSTRUCT),
                   {**QUICK, "optimizer": "adam", "lr": 0.002, "batch_size": 128, "epochs": 3})


UNPOOL = "20_unpooling.md"
LESSONS = [
    Lesson("18_encoder_8_3_8", "The 8-3-8 encoder", "18_encoder_8_3_8.md", ["Loss", "Activations"],
           "All 8 inputs reconstructed after 1,000 steps, every output within 0.039 of its target (loss 0.0046)",
           encoder_8_3_8),
    Lesson("19_pca_autoencoder", "PCA as a linear autoencoder", "19_pca_autoencoder.md",
           ["Loss", "Reconstruction", "Filters"],
           "Test MSE 0.0280 vs 0.0273 for PCA with 16 components (within 3 %)", linear_autoencoder),
    Lesson("20a_nearest", "Unpooling: nearest neighbour", UNPOOL, ["Activations"],
           "[[1,2],[3,4]] -> [[1,1,2,2],[1,1,2,2],[3,3,4,4],[3,3,4,4]]", lambda: upsample("UpsampleNearest")),
    Lesson("20b_bed_of_nails", "Unpooling: bed of nails", UNPOOL, ["Activations"],
           "[[1,2],[3,4]] -> [[1,0,2,0],[0,0,0,0],[3,0,4,0],[0,0,0,0]]", lambda: upsample("BedOfNails")),
    Lesson("20c_max_unpool", "Max-unpooling", UNPOOL, ["Activations"],
           "[[1,2,6,3],[3,5,2,1],[1,2,2,1],[7,3,4,8]] -> max-pool [[5,6],[7,8]] -> "
           "[[0,0,6,0],[0,5,0,0],[0,0,0,0],[7,0,0,8]]", max_unpool),
    Lesson("20d_transposed_conv", "Transposed convolution", UNPOOL, ["Activations"],
           "[[1,2],[3,4]], 3x3 kernel of ones, stride 2, padding 1, output padding 1 -> "
           "[[1,3,2,2],[4,10,6,6],[3,7,4,4],[3,7,4,4]]",
           transposed_conv),
    Lesson("21_conv_autoencoder", "A convolutional autoencoder", "21_conv_autoencoder.md",
           ["Loss", "Reconstruction", "Activations"],
           "Code 4x7x7 = 196 numbers for 784 pixels (25 %); test MSE 0.0139 after 3 epochs", conv_autoencoder),
]
