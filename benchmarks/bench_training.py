"""Training speed: LayerLab's trainer against a plain hand-written PyTorch loop, in the same run,
and scikit-learn's MLPClassifier (float64 as in the course, and float32) on the course setup:
MNIST 60,000 / 10,000, 784-50-10 ReLU, SGD lr 0.1 with Nesterov momentum 0.9, batch 200,
L2 1e-4, 10 epochs.

    python benchmarks/bench_training.py [--epochs 10] [--repeats 3] [--no-sklearn]

The hand loop is what a person writes first: tensors in memory, a randperm per epoch, an index
gather per batch, torch.optim.SGD. Times count the optimization loop only (no evaluation).
Each contender runs `repeats` times, interleaved; the best time is reported (the machine may be
shared). scikit-learn is optional (the `bench` extra); without it that part is skipped.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from engine.data.dataset import load_dataset
from engine.project import load_project
from engine.training import Finished, Trainer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_projects" / "mnist_mlp_sklearn.layerlab"
SETTINGS = {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True, "batch_size": 200,
            "weight_decay": 1e-4, "checkpoint_every": 0}


def hand_loop(x, y, xt, yt, epochs: int, seed: int) -> tuple[float, float]:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
    n = len(x)
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for i in range(0, n, 200):
            idx = perm[i:i + 200]
            xb, yb = x[idx], y[idx]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        accuracy = (model(xt).argmax(1) == yt).float().mean().item()
    return seconds, accuracy


def layerlab(dataset, epochs: int, seed: int) -> tuple[float, float]:
    project = load_project(SAMPLE)
    trainer = Trainer(project, settings={**SETTINGS, "epochs": epochs, "seed": seed, "device": "cpu"},
                      dataset=dataset)
    end = list(trainer.run())[-1]
    assert isinstance(end, Finished), end
    return end.summary["train_seconds"], end.summary["final"]["test_accuracy"]


def sklearn_fit(x, y, xt, yt, epochs: int, dtype) -> tuple[float, float] | None:
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    clf = MLPClassifier(hidden_layer_sizes=(50,), max_iter=epochs, alpha=1e-4, solver="sgd", batch_size=200,
                        learning_rate_init=0.1, momentum=0.9, nesterovs_momentum=True, random_state=1, tol=0.0,
                        n_iter_no_change=epochs + 1)
    xs, xts = x.numpy().astype(dtype), xt.numpy().astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(xs, y.numpy())
        seconds = time.perf_counter() - start
    return seconds, clf.score(xts, yt.numpy())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-sklearn", action="store_true")
    args = parser.parse_args()

    dataset = load_dataset({"source": "mnist"})
    x, y, xt, yt = dataset.train.x, dataset.train.y, dataset.test.x, dataset.test.y
    samples = len(x) * args.epochs
    print(f"course setup: MNIST {len(x)} train / {len(xt)} test, 784-50-10 ReLU, SGD lr 0.1 Nesterov 0.9, "
          f"batch 200, L2 1e-4, {args.epochs} epochs; torch {torch.__version__}, {torch.get_num_threads()} threads")
    results: dict[str, list[tuple[float, float]]] = {"hand-written PyTorch loop": [], "LayerLab trainer": []}
    for repeat in range(args.repeats):
        results["hand-written PyTorch loop"].append(hand_loop(x, y, xt, yt, args.epochs, repeat))
        results["LayerLab trainer"].append(layerlab(dataset, args.epochs, repeat))
    if not args.no_sklearn:
        flat, flat_test = x.flatten(1), xt.flatten(1)
        for label, dtype in (("scikit-learn MLPClassifier float64", "float64"),
                             ("scikit-learn MLPClassifier float32", "float32")):
            outcome = sklearn_fit(flat, y, flat_test, yt, args.epochs, dtype)
            if outcome is None:
                print("scikit-learn is not installed (pip install -e '.[bench]'); skipping its part")
                break
            results[label] = [outcome]
    hand = min(t for t, _ in results["hand-written PyTorch loop"])
    print(f"{'contender':36} {'best s':>8} {'us/sample':>10} {'vs hand':>8} {'test acc':>9}  (runs)")
    for label, runs in results.items():
        best, accuracy = min(runs)
        accuracies = ", ".join(f"{a * 100:.2f}" for _, a in runs)
        print(f"{label:36} {best:8.2f} {best / samples * 1e6:10.2f} {best / hand:7.2f}x {accuracy * 100:8.2f}%  "
              f"({len(runs)} run(s); times {', '.join(f'{t:.2f}' for t, _ in runs)}; acc {accuracies})")
    ratio = min(t for t, _ in results["LayerLab trainer"]) / hand
    print(f"LayerLab time per training sample: {ratio:.3f}x the hand-written loop's (goal: <= 1.05x)")


if __name__ == "__main__":
    main()
