"""Lessons 07-12: L1/L2/elastic net, early stopping, dropout, batch norm, label smoothing, augmentation."""

from __future__ import annotations

from lesson_kit import MNIST_SMALL, MNIST_TINY, QUICK, Lesson, mlp

from engine.builder import NetworkBuilder
from engine.project import Project

ADAM = {**QUICK, "optimizer": "adam", "lr": 0.001, "batch_size": 32}


def regularized(title: str, l1: float, l2: float) -> Project:
    settings = {**QUICK, "optimizer": "sgd", "lr": 0.1, "batch_size": 32, "epochs": 3, "l1": l1,
                "weight_decay": l2}
    return Project(mlp([64], "ReLU"), f"Lesson 7: {title}",
                   f"784-64-10 with l1={l1} and weight_decay (L2)={l2}: compare fc1's weight histogram.",
                   dict(MNIST_SMALL), {k: v for k, v in settings.items() if v != 0})


def early_stopping() -> Project:
    return Project(mlp([256, 256], "ReLU"), "Lesson 8: early stopping with patience",
                   "A large network on 1,000 digits overfits; training stops when the validation loss has "
                   "not improved for 3 epochs and goes back to the best weights.", dict(MNIST_TINY),
                   {**ADAM, "epochs": 100, "early_stopping": True, "patience": 3, "restore_best": True})


def dropout(p: float) -> Project:
    title = f"dropout p={p}" if p else "no dropout"
    return Project(mlp([256, 256], "ReLU", dropout=p), f"Lesson 9: {title}",
                   "784-256-256-10 trained 30 epochs on 1,000 digits: compare the train and test accuracy.",
                   dict(MNIST_TINY), {**ADAM, "epochs": 30, "restore_best": False})


def batch_norm() -> Project:
    return Project(mlp([64, 64], "ReLU", batch_norm=True), "Lesson 10: batch norm, train vs eval mode",
                   "Dense - BatchNorm1d - ReLU twice: training normalizes with each batch's statistics, "
                   "evaluation with the running averages.", dict(MNIST_SMALL),
                   {**QUICK, "optimizer": "sgd", "lr": 0.1, "batch_size": 64, "epochs": 2})


def label_smoothing(smoothing: float) -> Project:
    title = f"label smoothing {smoothing}" if smoothing else "hard labels"
    return Project(mlp([64], "ReLU", smoothing=smoothing), f"Lesson 11: {title}",
                   "784-64-10, cross-entropy with targets 1 (hard) or 1 - 0.1 + 0.1/10 (smoothed).",
                   dict(MNIST_SMALL), {**ADAM, "epochs": 3})


def small_cnn(augment: dict) -> Project:
    b = NetworkBuilder()
    x = b.chain(b.add("Input", shape=[1, 28, 28]), ("Conv2d", {"filters": 8, "kernel": 3, "padding": 1}, "conv1"),
                ("ReLU",), ("MaxPool2d", {"kernel": 2, "stride": 2}, "pool1"),
                ("Conv2d", {"filters": 16, "kernel": 3, "padding": 1}, "conv2"), ("ReLU",),
                ("MaxPool2d", {"kernel": 2, "stride": 2}, "pool2"), ("Flatten",), ("Dense", {"units": 64}, "fc"),
                ("ReLU",), ("Dense", {"units": 10}, "scores"))
    b.add("Output", x)
    title = "augmented digits" if augment else "no augmentation"
    return Project(b.finish(), f"Lesson 12: {title}",
                   "A small CNN on 1,000 training digits, 15 epochs; augmentation moves, scales and rotates "
                   "each digit a little every time it is seen.", {**MNIST_TINY, "augment": augment},
                   {**QUICK, "optimizer": "adam", "lr": 0.002, "batch_size": 32, "epochs": 15,
                    "restore_best": False})


AUGMENT = {"rotate": 10, "translate": 0.1, "scale": 0.1}
REG = "07_regularization.md"
LESSONS = [
    Lesson("07a_l1", "L1 regularization", REG, ["Histograms", "Loss"],
           "73.9 % of fc1's weights below 0.001 (L2: 4.0 %); 86.95 % test accuracy",
           lambda: regularized("L1", 1e-3, 0)),
    Lesson("07b_l2", "L2 regularization (weight decay)", REG, ["Histograms", "Loss"],
           "4.0 % of fc1's weights below 0.001 (L1: 73.9 %); mean |w| 0.0166; 88.4 % test accuracy",
           lambda: regularized("L2", 0, 1e-2)),
    Lesson("07c_elastic_net", "Elastic net (L1 + L2)", REG, ["Histograms", "Loss"],
           "60.4 % of fc1's weights below 0.001 (L1 73.9 %, L2 4.0 %); 87.6 % test accuracy",
           lambda: regularized("elastic net", 5e-4, 5e-3)),
    Lesson("08_early_stopping", "Early stopping with patience", "08_early_stopping.md", ["Loss"],
           "Stops after epoch 11 of 100, best epoch 8 restored: 85.05 % test accuracy (99.0 % training)",
           early_stopping),
    Lesson("09a_no_dropout", "Without dropout", "09_dropout.md", ["Loss", "Activations"],
           "After 30 epochs: 100 % training, 85.35 % test accuracy, test loss 0.650", lambda: dropout(0)),
    Lesson("09b_dropout", "With dropout", "09_dropout.md", ["Loss", "Activations"],
           "After 30 epochs: 99.9 % training, 85.9 % test accuracy, test loss 0.578 (0.650 without)",
           lambda: dropout(0.5)),
    Lesson("10_batch_norm", "Batch norm in train vs eval mode", "10_batch_norm.md",
           ["Loss", "Activations", "Histograms"],
           "92.7 % test accuracy after 2 epochs; train mode depends on the batch, eval mode does not", batch_norm),
    Lesson("11a_hard_labels", "Hard labels", "11_label_smoothing.md", ["Loss", "Confusion"],
           "90.0 % test accuracy; mean top-class probability 0.875",
           lambda: label_smoothing(0)),
    Lesson("11b_label_smoothing", "Label smoothing 0.1", "11_label_smoothing.md", ["Loss", "Confusion"],
           "90.4 % test accuracy; mean top-class probability 0.749 (hard labels: 0.875)",
           lambda: label_smoothing(0.1)),
    Lesson("12a_no_augmentation", "Without data augmentation", "12_augmentation.md", ["Loss", "Filters"],
           "After 15 epochs: 99.2 % training, 90.1 % test accuracy (a 9.1-point gap)",
           lambda: small_cnn({})),
    Lesson("12b_augmentation", "With data augmentation", "12_augmentation.md", ["Loss", "Filters"],
           "After 15 epochs: 95.6 % training, 91.15 % test accuracy (a 4.4-point gap; 90.1 % without)",
           lambda: small_cnn(AUGMENT)),
]
