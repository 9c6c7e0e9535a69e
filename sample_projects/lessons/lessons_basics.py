"""Lessons 01-06: the perceptron, activations, losses, batch sizes, the gradient check, vanishing gradients."""

from __future__ import annotations

from lesson_kit import MNIST_SMALL, QUICK, SPIRAL, Lesson, mlp

from engine.builder import NetworkBuilder
from engine.project import Project

SGD = {**QUICK, "optimizer": "sgd", "lr": 0.5, "batch_size": 32}


def perceptron() -> Project:
    return Project(mlp([16, 16], "Sigmoid"), "Lesson 1: the 784-16-16-10 perceptron",
                   "The course's first network: two hidden layers of 16 logistic units, 13,002 parameters.",
                   dict(MNIST_SMALL), {**SGD, "epochs": 3})


def spiral_net(activation: str) -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[2])
    for i in (1, 2, 3):
        x = b.chain(x, ("Dense", {"units": 64}, f"fc{i}"), (activation, {}, f"act{i}"))
    b.add("Output", b.chain(x, ("Dense", {"units": 2}, "scores")))
    return Project(b.finish(), f"Lesson 2: {activation} on the spiral",
                   f"2-64-64-64-2 with {activation} units on two interleaved spirals; compare with the other "
                   "activations of lesson 2.", dict(SPIRAL),
                   {**QUICK, "optimizer": "adam", "lr": 0.01, "batch_size": 32, "epochs": 30})


def square_loss() -> Project:
    return Project(mlp([16, 16], "Sigmoid", loss="mse_onehot", output_activation="Sigmoid"),
                   "Lesson 3a: square loss on sigmoid outputs",
                   "Ten sigmoid outputs trained towards one-hot targets with the square loss.",
                   dict(MNIST_SMALL), {**SGD, "epochs": 2})


def cross_entropy() -> Project:
    return Project(mlp([16, 16], "Sigmoid"), "Lesson 3b: softmax cross-entropy",
                   "The same network with ten scores, softmax and cross-entropy.",
                   dict(MNIST_SMALL), {**SGD, "epochs": 2})


def batch_mode(batch_size: int, title: str, lr: float = 0.1) -> Project:
    return Project(mlp([32], "ReLU"), f"Lesson 4: {title}",
                   f"784-32-10 on 2,000 digits, 5 epochs at learning rate {lr} with batch_size {batch_size}.",
                   {**MNIST_SMALL, "subset": 2000}, {**QUICK, "optimizer": "sgd", "lr": lr,
                                                    "batch_size": batch_size, "epochs": 5})


def gradient_check() -> Project:
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[1, 28, 28]), ("Conv2d", {"filters": 4, "kernel": 5}, "conv"), ("Tanh",),
                ("MaxPool2d", {"kernel": 2, "stride": 2}, "pool"), ("Flatten",), ("Dense", {"units": 16}, "fc"),
                ("Tanh",), ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "Lesson 5: gradient check",
                   "Backpropagation against central differences, in float64, for every parameter tensor.",
                   dict(MNIST_SMALL), {**QUICK, "optimizer": "adam", "lr": 0.002, "batch_size": 64, "epochs": 1})


def deep(activation: str, residual: bool = False, init: str = "default") -> Project:
    """Eight layers of 32 units; with `residual`, each layer's output is added to its input; `init`:
    how the hidden layers' starting weights are drawn (he_normal for ReLU)."""
    b = NetworkBuilder()
    dense = {"units": 32, "init": init}
    x = b.chain(b.add("Input", shape=[1, 28, 28]), ("Flatten",), ("Dense", dense, "fc1"),
                (activation, {}, f"{activation.lower()}1"))
    for i in range(2, 9):
        h = b.chain(x, ("Dense", dense, f"fc{i}"), (activation, {}, f"{activation.lower()}{i}"))
        x = b.add("Add", x, h, name=f"skip{i}") if residual else h
    x = b.chain(x, ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    kind = f"{activation} with skip connections" if residual else activation
    he = " with He initialization" if init.startswith("he_") else ""
    return Project(b.finish(), f"Lesson 6: eight {kind} layers{he}",
                   "Eight layers of 32 units: compare the gradient reaching fc1 with the one reaching scores.",
                   dict(MNIST_SMALL), {**QUICK, "optimizer": "sgd", "lr": 0.3, "batch_size": 64, "epochs": 3})


GRAD = ["Loss", "Gradient flow"]
LESSONS = [
    Lesson("01_perceptron", "The 784-16-16-10 perceptron", "01_perceptron.md",
           ["Loss", "Activations", "Filters", "Confusion"],
           "13,002 parameters; 83.1 % test accuracy after 3 epochs (846 SGD steps)", perceptron),
    Lesson("02a_sigmoid", "Activations: sigmoid", "02_activations.md", ["Boundary", "Loss", "Activations"],
           "60.0 % test accuracy after 30 epochs (tanh 100 %, ReLU 99.5 %)", lambda: spiral_net("Sigmoid")),
    Lesson("02b_tanh", "Activations: tanh", "02_activations.md", ["Boundary", "Loss", "Activations"],
           "100 % test accuracy after 30 epochs (sigmoid 60.0 %, ReLU 99.5 %)", lambda: spiral_net("Tanh")),
    Lesson("02c_relu", "Activations: ReLU", "02_activations.md", ["Boundary", "Loss", "Activations"],
           "99.5 % test accuracy after 30 epochs (sigmoid 60.0 %, tanh 100 %)", lambda: spiral_net("ReLU")),
    Lesson("03a_square_loss", "Square loss on sigmoid outputs", "03_losses.md", ["Loss", "Confusion"],
           "Stuck: 11.7 % test accuracy after 2 epochs (one class for every digit, loss 0.090)", square_loss),
    Lesson("03b_cross_entropy", "Softmax cross-entropy", "03_losses.md", ["Loss", "Confusion"],
           "80.5 % test accuracy after 2 epochs (564 steps), where the square loss is stuck at 11.7 %", cross_entropy),
    Lesson("04a_full_batch", "Full-batch gradient descent", "04_batch_size.md", ["Loss"],
           "5 steps in 5 epochs: 29.5 % test accuracy",
           lambda: batch_mode(0, "full-batch gradient descent")),
    Lesson("04b_sgd", "Stochastic gradient descent (batch 1)", "04_batch_size.md", ["Loss"],
           "9,000 steps in 5 epochs: 86.95 % test accuracy (full batch 29.5 %, minibatch 84.75 %)",
           lambda: batch_mode(1, "stochastic gradient descent", lr=0.01)),
    Lesson("04c_minibatch", "Minibatch gradient descent (batch 32)", "04_batch_size.md", ["Loss"],
           "285 steps in 5 epochs: 84.75 % test accuracy",
           lambda: batch_mode(32, "minibatch gradient descent")),
    Lesson("05_gradient_check", "Gradient check", "05_gradient_check.md", ["Gradient check"],
           "Largest relative error 8.6e-8 (below 1e-5) in every tensor; 84.75 % test accuracy after 1 epoch",
           gradient_check),
    Lesson("06a_deep_sigmoid", "Vanishing gradients: eight sigmoid layers", "06_vanishing_gradients.md", GRAD,
           "Stuck at 11.7 % test accuracy after 3 epochs; fc1 gets about 1e-6 of the gradient that scores gets",
           lambda: deep("Sigmoid")),
    Lesson("06b_deep_relu", "Vanishing gradients: eight ReLU layers, He initialization",
           "06_vanishing_gradients.md", GRAD,
           "63.05 % test accuracy after 3 epochs (11.7 %, stuck, with PyTorch's default initialization); fc1 "
           "gets 0.65 to 2.2 times the gradient that scores gets",
           lambda: deep("ReLU", init="he_normal")),
    Lesson("06c_deep_residual", "Vanishing gradients: sigmoid layers with skips", "06_vanishing_gradients.md",
           GRAD, "84.55 % test accuracy after 3 epochs; fc1 gets 0.3 to 1.2 times the gradient that scores gets",
           lambda: deep("Sigmoid", residual=True)),
]
