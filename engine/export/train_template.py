"""<<DOC>>"""
# This module is the template of the `training_script` export (engine/export/training_script.py
# fills the marked blocks). It is valid Python so it can be read and checked like any other file;
# the text between `# <<NAME>>` and `# <</NAME>>` is replaced in each export: IMPORTS by these
# imports and those of LayerLab's code, ENGINE by that code itself (the modules imported there).

from __future__ import annotations

# <<IMPORTS>>
import argparse
import json
from pathlib import Path
from types import SimpleNamespace

import torch
from torch import nn
# <</IMPORTS>>

# <<SETTINGS>>
TRAINING: dict = {}
DATASET: dict = {}
LOSS, LABEL_SMOOTHING = "cross_entropy", 0.0
INPUT_SHAPE: tuple = ()
# <</SETTINGS>>

# <<MODEL>>
MODEL_CLASS = nn.Identity
# <</MODEL>>

# <<ENGINE>>
from engine.data.augment import AugmentError, augmentation
from engine.data.idx import MNIST_FILES, IdxError, read_mnist
from engine.data.splits import Split, normalization_mode, normalize_splits, split_samples, to_device
from engine.data.synthetic import make_points, one_hot_8
from engine.data.torchvision_sets import TORCHVISION_ROOT, image_tensors, open_torchvision
from engine.training.batching import plan_batches
from engine.training.device import DeviceError, oom_message, select_device
from engine.training.distributed import finish, init_from_env, rank_device
from engine.training.loop import EpochResult, TrainingLoop
from engine.training.losses import make_correct, make_loss
# <</ENGINE>>


# -- data ------------------------------------------------------------------------------------

def find_mnist(data_dir: str | None) -> Path:
    """The folder with the four MNIST .gz files: --data, else beside this script (or its mnist/)."""
    here = Path(__file__).resolve().parent
    candidates = [Path(data_dir)] if data_dir else [here, here / "mnist"]
    for folder in candidates:
        if all((folder / name).is_file() for name in MNIST_FILES):
            return folder
    raise SystemExit(f"error: the MNIST files ({', '.join(MNIST_FILES)}) are not in "
                     f"{' or '.join(str(c) for c in candidates)}; pass their folder with --data DIR "
                     "(LayerLab ships them in resources/datasets/mnist).")


def load_samples(d: SimpleNamespace, data_dir: str | None) -> tuple:
    """(kind, x, y, x_test, y_test) as the source gives them (no test set: None); the kind (image,
    points, bits) chooses what normalize 'auto' does."""
    if d.source == "mnist":
        return ("image", *read_mnist(find_mnist(data_dir)))
    if d.source == "one_hot_8":
        x, y = one_hot_8()
        return "bits", x, y, x.clone(), y.clone()  # its own test set
    if d.source == "torchvision":
        import torchvision.datasets as tvd

        root = data_dir or d.path or str(TORCHVISION_ROOT)
        parts = []
        for train in (True, False):
            tensors = image_tensors(open_torchvision(getattr(tvd, d.name), root, train, d.download))
            if tensors is None:
                raise SystemExit(f"error: torchvision {d.name} keeps no image arrays; train it in LayerLab.")
            parts.extend(tensors)
        return ("image", *parts)
    classes = 2 if d.source in ("xor", "moons") else d.classes
    return ("points", *make_points(d.source, d.samples, d.noise, classes, d.seed), None, None)


def prepare_data(d: SimpleNamespace, data_dir: str | None) -> tuple[Split, Split, Split]:
    """(train, validation, test), split and normalized by LayerLab's code (same seed, same samples)."""
    kind, x, y, x_test, y_test = load_samples(d, data_dir)
    reconstruction = d.task == "reconstruction"
    splits = split_samples(x, None if reconstruction else y, x_test, None if reconstruction else y_test, d.seed,
                           d.test_split, d.validation_split, d.subset, d.test_subset)
    normalize_splits(normalization_mode(d.normalize, kind), *splits)
    return splits


# -- training ----------------------------------------------------------------------------------

class ScriptRun(TrainingLoop):
    """LayerLab's training loop (TrainingLoop above), printing its progress and saving on the way."""

    def __init__(self, settings: SimpleNamespace, out_dir: Path, main_rank: bool) -> None:
        super().__init__(settings)
        self.out_dir, self.main_rank, self.history = out_dir, main_rank, []

    def say(self, text: str) -> None:
        if self.main_rank:
            print(text, flush=True)

    def log_step(self, epoch: int, batch: int, loss: float, samples_seen: int) -> tuple:
        self.say(f"epoch {epoch} step {batch}/{self.steps_per_epoch} loss {loss:.4f} lr {self.schedule.lr:.3g}")
        return ()

    def epoch_done(self, result: EpochResult) -> tuple:
        self.history.append({"epoch": result.epoch, "step": result.step, "train_loss": result.train_loss,
                             "train_accuracy": result.train_accuracy, "lr": result.lr, "seconds": result.seconds,
                             "val_loss": result.val_loss, "val_accuracy": result.val_accuracy})
        self.say(f"epoch {result.epoch}: train loss {result.train_loss:.4f}"
                 + (f", train accuracy {result.train_accuracy:.4f}" if result.train_accuracy is not None else "")
                 + (f", validation loss {result.val_loss:.4f}" if result.val_loss is not None else "")
                 + (f", validation accuracy {result.val_accuracy:.4f}" if result.val_accuracy is not None else ""))
        every = self.settings.checkpoint_every
        if self.main_rank and every and result.finished and self.epoch % every == 0:
            save(self.module, self.history, self.out_dir)
        return ()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", help="folder with the dataset files (MNIST: the four IDX .gz files)")
    parser.add_argument("--out", help="folder for weights.pt and history.json (default: beside this script)")
    parser.add_argument("--epochs", type=int, help=f"passes over the training set (project: {TRAINING['epochs']})")
    parser.add_argument("--max-steps", type=int, help="stop after this many optimizer steps")
    parser.add_argument("--subset", type=int, help="use at most this many training and test samples (a quick run)")
    parser.add_argument("--seed", type=int, help=f"seed of the weights and the batch order (project: "
                        f"{TRAINING['seed']}; the data's own seed stays {DATASET['seed']})")
    parser.add_argument("--device", help=f"auto, cpu, cuda, cuda:N or mps (project: {TRAINING['device']})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    s = SimpleNamespace(**TRAINING)
    d = SimpleNamespace(**{**DATASET, "augment": SimpleNamespace(**DATASET["augment"])})
    s.epochs = args.epochs or s.epochs
    s.max_steps = args.max_steps if args.max_steps is not None else s.max_steps
    s.seed = args.seed if args.seed is not None else s.seed
    if args.subset:
        d.subset, d.test_subset = args.subset, args.subset
    try:
        return train(s, d, args)
    except (IdxError, DeviceError, AugmentError, FloatingPointError) as error:
        raise SystemExit(f"error: {error}") from None


def train(s: SimpleNamespace, d: SimpleNamespace, args: argparse.Namespace) -> dict:
    device = select_device(args.device or s.device)
    ctx = init_from_env(device)
    device = rank_device(device, ctx)
    train_split, val_split, test_split = prepare_data(d, args.data)
    if len(train_split) // ctx.world_size == 0:
        raise SystemExit("error: no training samples are left; raise --subset or lower the validation split")
    reconstruction = d.task == "reconstruction"
    transform = augmentation(d.augment, tuple(train_split.x.shape[1:]))
    plan = plan_batches(train_split, s.batch_size, s.drop_last, device, transform, reconstruction, s.workers,
                        ctx.world_size)
    if plan.steps_per_epoch == 0:
        raise SystemExit("error: the batch is larger than the training set with drop_last on; lower batch_size")
    to_device(val_split, device)
    to_device(test_split, device)
    torch.manual_seed(s.seed)
    model = MODEL_CLASS().to(device)
    out_dir = Path(args.out) if args.out else Path(__file__).resolve().parent / f"{Path(__file__).stem}_run"
    run = ScriptRun(s, out_dir, ctx.is_main)
    run.attach(model, plan, make_loss(LOSS, LABEL_SMOOTHING, d.task, None), make_correct(d.task), val_split,
               device, ctx, reconstruction)
    run.say(f"{plan.train_size} training / {len(val_split)} validation / {len(test_split)} test samples, batch "
            f"{plan.batch_size} ({ctx.world_size} process{'es' if ctx.world_size > 1 else ''} on {device}), "
            f"{plan.steps_per_epoch} steps per epoch")
    try:
        for _ in run.train_epochs():
            pass
    except torch.OutOfMemoryError:
        raise SystemExit(f"error: {oom_message(plan.batch_size, device)}") from None
    if run.restore_weights():
        run.say(f"restored the best weights (step {run.tracker.best_step}, {s.monitor} {run.tracker.best:.4f})")
    test_loss, test_accuracy = run.evaluate_split(test_split)
    summary = {"stopped": run.stopped_reason, "epochs": len(run.history), "steps": run.step,
               "train_loss": run.history[-1]["train_loss"], "test_loss": test_loss, "test_accuracy": test_accuracy,
               "train_seconds": round(run.clock.total, 4), "weights": str(out_dir / "weights.pt")}
    if ctx.is_main:
        save(model, run.history, out_dir)
        print(json.dumps(summary))
    finish(ctx)  # leave together: rank 0 may still be saving, and an early exit can abort a peer
    return summary


def save(model: nn.Module, history: list, out_dir: Path) -> None:
    """weights.pt (a state dict: torch.load(..., weights_only=True), or LayerLab's import) and history."""
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, out_dir / "weights.pt")
    (out_dir / "history.json").write_text(json.dumps(history, indent=1))


if __name__ == "__main__":
    main()
