"""<<DOC>>"""
# This module is the template of the `training_script` export (engine/export/training_script.py
# fills the marked blocks). It is valid Python so it can be read and checked like any other file;
# the text between `# <<NAME>>` and `# <</NAME>>` is replaced in each export.

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F  # noqa: F401 - the embedded engine code uses it
from torch import nn

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
# <</ENGINE>>

MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
               "t10k-labels-idx1-ubyte.gz")
IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


# -- data ------------------------------------------------------------------------------------

def read_idx(path: Path) -> np.ndarray:
    """An IDX file (the MNIST format), gzip'd or plain."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in IDX_TYPES:
        raise SystemExit(f"error: '{path}' is not an IDX file")
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    dtype = np.dtype(IDX_TYPES[raw[2]])
    return np.frombuffer(raw, dtype=dtype, offset=4 + 4 * dims).reshape(shape).astype(dtype.newbyteorder("="))


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


def load_raw(d: SimpleNamespace, data_dir: str | None) -> dict:
    """Samples as loaded: kind (image, points, bits), x, y and, when the source has one, a test set."""
    if d.source == "mnist":
        folder = find_mnist(data_dir)
        x, y, xt, yt = (torch.from_numpy(read_idx(folder / name).astype(np.int64 if "labels" in name else np.uint8))
                        for name in MNIST_FILES)
        return {"kind": "image", "x": x.unsqueeze(1), "y": y, "x_test": xt.unsqueeze(1), "y_test": yt}
    if d.source == "one_hot_8":
        x, y = one_hot_8()  # noqa: F821 - defined in the ENGINE block when the source needs it
        return {"kind": "bits", "x": x, "y": y, "x_test": x.clone(), "y_test": y.clone()}  # its own test set
    if d.source == "torchvision":
        return load_torchvision(d, data_dir)
    classes = 2 if d.source in ("xor", "moons") else d.classes
    x, y = make_points(d.source, d.samples, d.noise, classes, d.seed)  # noqa: F821 - see the ENGINE block
    return {"kind": "points", "x": x, "y": y}


def load_torchvision(d: SimpleNamespace, data_dir: str | None) -> dict:
    import torchvision.datasets as tvd

    root = data_dir or d.path or str(Path.home() / ".cache" / "layerlab" / "torchvision")
    parts = []
    for train in (True, False):
        try:
            data = getattr(tvd, d.name)(root, train=train, download=d.download)
        except TypeError:
            data = getattr(tvd, d.name)(root, split="train" if train else "test", download=d.download)
        labels = getattr(data, "targets", None)
        labels = getattr(data, "labels", None) if labels is None else labels
        x = torch.as_tensor(np.asarray(data.data))
        if x.ndim == 3:
            x = x.unsqueeze(1)
        elif x.ndim == 4 and x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
            x = x.permute(0, 3, 1, 2).contiguous()
        parts.append((x, torch.as_tensor(np.asarray(labels), dtype=torch.long)))
    (x, y), (xt, yt) = parts
    return {"kind": "image", "x": x, "y": y, "x_test": xt, "y_test": yt}


def prepare_data(d: SimpleNamespace, data_dir: str | None) -> dict:
    """Splits and normalization exactly as LayerLab makes them (same seed, same samples)."""
    raw = load_raw(d, data_dir)
    reconstruction = d.task == "reconstruction"
    g = torch.Generator().manual_seed(d.seed)
    x, y = raw["x"], None if reconstruction else raw["y"]
    xt, yt = raw.get("x_test"), None if reconstruction else raw.get("y_test")
    if xt is None and d.test_split > 0:
        order = torch.randperm(len(x), generator=g)
        cut = int(round(len(x) * d.test_split))
        xt, x = x[order[:cut]], x[order[cut:]]
        if y is not None:
            yt, y = y[order[:cut]], y[order[cut:]]
    order = torch.randperm(len(x), generator=g)
    if d.subset is not None:
        order = order[:d.subset]
    cut = int(round(len(order) * d.validation_split))
    val_idx, train_idx = order[:cut], order[cut:]
    if xt is not None and d.test_subset is not None:
        xt, yt = xt[:d.test_subset], None if yt is None else yt[:d.test_subset]
    if xt is None:
        xt, yt = x[:0], None if y is None else y[:0]
    pick = lambda t, idx: None if t is None else t[idx]  # noqa: E731
    splits = {"train": [x[train_idx], pick(y, train_idx)], "val": [x[val_idx], pick(y, val_idx)], "test": [xt, yt]}
    mode = {"image": "unit", "table": "standardize"}.get(raw["kind"], "none") if d.normalize == "auto" else d.normalize
    if mode == "standardize":
        train_x = splits["train"][0].float()
        mean, std = train_x.mean(0), train_x.std(0).clamp_min(1e-8)
        for split in splits.values():
            split[0] = (split[0].float() - mean) / std
    elif mode == "channel":  # images: zero mean, unit variance per channel (after scaling 8-bit to [0, 1])
        scale = 1 / 255 if splits["train"][0].dtype == torch.uint8 else 1.0
        train_x = splits["train"][0].float() * scale
        mean = train_x.mean(dim=(0, 2, 3), keepdim=True)[0]
        std = train_x.std(dim=(0, 2, 3), keepdim=True)[0].clamp_min(1e-8)
        for split in splits.values():
            split[0] = (split[0].float() * scale - mean) / std
    else:
        scale = 1 / 255 if mode == "unit" and splits["train"][0].dtype == torch.uint8 else 1.0
        for split in splits.values():
            split[0] = split[0].float().mul_(scale) if split[0].dtype == torch.uint8 else split[0].float()
    for split in splits.values():
        if split[1] is None:
            split[1] = split[0]  # reconstruction: the target is the input
    return splits


def augmentation(a: SimpleNamespace):
    """torchvision.transforms.v2 steps for one image, or None when augmentation is off."""
    if not any((a.translate, a.scale, a.rotate, a.noise, a.elastic, a.hflip, a.hue)):
        return None
    from torchvision.transforms import v2

    steps = []
    if a.hflip:
        steps.append(v2.RandomHorizontalFlip())
    if a.translate or a.scale or a.rotate:
        steps.append(v2.RandomAffine(degrees=a.rotate, translate=(a.translate, a.translate) if a.translate else None,
                                     scale=(1 - a.scale, 1 + a.scale) if a.scale else None))
    if a.elastic:
        steps.append(v2.ElasticTransform(alpha=a.elastic, sigma=5.0))
    if a.hue:
        steps.append(v2.ColorJitter(hue=a.hue))
    if a.noise:
        steps.append(v2.GaussianNoise(sigma=a.noise, clip=False))
    return v2.Compose(steps)


# -- machine -----------------------------------------------------------------------------------

def choose_device(name: str) -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    return torch.device(name)


def setup_distributed(device: torch.device) -> tuple[int, int, torch.device]:
    """(rank, world size, device). Under torchrun: one process per GPU with NCCL, or gloo on CPU."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1, device
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    if device.type == "cuda":
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
    return dist.get_rank(), dist.get_world_size(), device


def all_sum(tensor: torch.Tensor, world: int) -> torch.Tensor:
    if world > 1:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def evaluate(model: nn.Module, split: list, loss_fn, correct_fn, batch: int, device: torch.device, rank: int,
             world: int, autocast=None) -> tuple[float, float | None]:
    """(mean loss, accuracy or None) over a split; each rank takes a contiguous part."""
    x, y = split
    lo, hi = len(x) * rank // world, len(x) * (rank + 1) // world
    was_training = model.training
    model.eval()
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    with torch.inference_mode():
        for i in range(lo, hi, batch):
            xb, yb = x[i:min(i + batch, hi)].to(device), y[i:min(i + batch, hi)].to(device)
            if autocast is not None:
                with autocast():
                    out = model(xb)
            else:
                out = model(xb)
            out = out.float()
            totals[0] += loss_fn(out, yb).double() * len(xb)
            if correct_fn is not None:
                totals[1] += correct_fn(out, yb)
            totals[2] += len(xb)
    model.train(was_training)
    loss_sum, correct, count = all_sum(totals, world).tolist()
    if count == 0:
        return float("nan"), None
    return loss_sum / count, (correct / count if correct_fn is not None else None)


# -- training ----------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", help="folder with the dataset files (MNIST: the four IDX .gz files)")
    parser.add_argument("--out", help="folder for weights.pt and history.json (default: beside this script)")
    parser.add_argument("--epochs", type=int, help=f"passes over the training set (project: {TRAINING['epochs']})")
    parser.add_argument("--max-steps", type=int, help="stop after this many optimizer steps")
    parser.add_argument("--subset", type=int, help="use at most this many training and test samples (a quick run)")
    parser.add_argument("--device", help=f"auto, cpu, cuda, cuda:N or mps (project: {TRAINING['device']})")
    return parser.parse_args(argv)


def batches(x: torch.Tensor, y: torch.Tensor, perm: torch.Tensor, batch: int, drop_last: bool, transform):
    end = len(perm) - len(perm) % batch if drop_last else len(perm)
    for i in range(0, end, batch):
        idx = perm[i:i + batch]
        xb = x[idx]
        if transform is not None:
            xb = torch.stack([transform(sample) for sample in xb])
        yield xb, (xb if y is x else y[idx])


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    s = SimpleNamespace(**TRAINING)
    d = SimpleNamespace(**{**DATASET, "augment": SimpleNamespace(**DATASET["augment"])})
    s.epochs = args.epochs or s.epochs
    s.max_steps = args.max_steps if args.max_steps is not None else s.max_steps
    if args.subset:
        d.subset, d.test_subset = args.subset, args.subset
    rank, world, device = setup_distributed(choose_device(args.device or s.device))
    main_rank = rank == 0
    say = print if main_rank else (lambda *a, **k: None)
    splits = prepare_data(d, args.data)
    train_x, train_y = splits["train"]
    train_size = len(train_x) // world * world
    if train_size == 0:
        raise SystemExit("error: no training samples are left; raise --subset or lower the validation split")
    batch = train_size if s.batch_size == 0 else min(s.batch_size, train_size)
    local_batch = max(1, -(-batch // world))
    per_rank = train_size // world
    steps_per_epoch = per_rank // local_batch if s.drop_last else -(-per_rank // local_batch)
    if steps_per_epoch == 0:
        raise SystemExit("error: the batch is larger than the training set with drop_last on; lower batch_size")

    torch.manual_seed(s.seed)
    model = MODEL_CLASS().to(device)
    net = model
    if world > 1:
        net = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = build_optimizer(model, s, device)  # noqa: F821 - the ENGINE block
    schedule = Schedule(optimizer, s, steps_per_epoch, train_size)  # noqa: F821
    autocast, _, scaler = amp_context(device, s.amp)  # noqa: F821
    weights, others = split_decay(model)  # noqa: F821
    loss_fn = make_loss(LOSS, LABEL_SMOOTHING, d.task, None)  # noqa: F821
    step_fn = make_step(net, loss_fn, optimizer, s, weights, weights + others, autocast, scaler)  # noqa: F821
    correct_fn = make_correct(d.task)  # noqa: F821
    tracker = BestTracker(s.monitor, s.patience, s.min_delta)  # noqa: F821
    transform = augmentation(d.augment)
    train_x = train_x.to(device) if transform is None else train_x
    train_y = train_x if d.task == "reconstruction" else train_y.to(train_x.device)
    log_every = s.log_every or max(1, steps_per_epoch // 20)
    out_dir = Path(args.out) if args.out else Path(__file__).resolve().parent / f"{Path(__file__).stem}_run"
    has_val = len(splits["val"][0]) > 0
    history, step, stopped = [], 0, "completed"
    say(f"{train_size} training / {len(splits['val'][0])} validation / {len(splits['test'][0])} test samples, "
        f"batch {batch} ({world} process{'es' if world > 1 else ''} on {device}), {steps_per_epoch} steps per epoch")

    def validate(epoch: int) -> tuple[float, float | None]:
        loss, acc = evaluate(model, splits["val"], loss_fn, correct_fn, s.eval_batch_size, device, rank, world,
                             autocast)
        tracker.update(acc if s.monitor == "val_accuracy" else loss, step, epoch, model)
        return loss, acc

    for epoch in range(1, s.epochs + 1):
        g = torch.Generator().manual_seed(s.seed * 1_000_003 + epoch - 1)
        perm = torch.randperm(train_size, generator=g)[rank::world] if world > 1 else torch.randperm(train_size, generator=g)
        loss_sum, seen, done, val = 0.0, 0, 0, None
        for xb, yb in batches(train_x, train_y, perm.to(train_x.device), local_batch, s.drop_last, transform):
            out, loss = step_fn(xb.to(device), yb.to(device))
            value = float(all_sum(loss.detach().clone(), world)) / world
            if not math.isfinite(value):
                raise SystemExit(f"error: the loss became {value} at step {step + 1}; lower the learning rate")
            loss_sum, seen, done, step = loss_sum + value, seen + len(xb) * world, done + 1, step + 1
            if schedule.per_step:
                schedule.after_step()
            if step % log_every == 0:
                say(f"epoch {epoch} step {done}/{steps_per_epoch} loss {value:.4f} lr {schedule.lr:.3g}")
            if s.eval_every and has_val and step % s.eval_every == 0:
                val = validate(epoch)
                if s.early_stopping and tracker.exhausted:
                    stopped = "early_stopping"
                    break
            if s.max_steps and step >= s.max_steps:
                stopped = "max_steps"
                break
        if has_val and not s.eval_every:
            val = validate(epoch)
            if s.early_stopping and tracker.exhausted:
                stopped = "early_stopping"
        train_loss = loss_sum / max(done, 1)
        if done == steps_per_epoch:
            schedule.after_epoch(val[0] if val is not None else train_loss)
        history.append({"epoch": epoch, "step": step, "train_loss": train_loss, "lr": schedule.lr,
                        "val_loss": val[0] if val else None, "val_accuracy": val[1] if val else None})
        say(f"epoch {epoch}: train loss {train_loss:.4f}" + (f", validation loss {val[0]:.4f}" if val else "")
            + (f", validation accuracy {val[1]:.4f}" if val and val[1] is not None else ""))
        if main_rank and s.checkpoint_every and epoch % s.checkpoint_every == 0:
            save(model, history, out_dir)
        if stopped != "completed":
            break
    if s.restore_best and tracker.restore(model):
        say(f"restored the best weights (step {tracker.best_step}, {s.monitor} {tracker.best:.4f})")
    test_loss, test_acc = evaluate(model, splits["test"], loss_fn, correct_fn, s.eval_batch_size, device, rank, world,
                                   autocast)
    summary = {"stopped": stopped, "epochs": len(history), "steps": step, "train_loss": history[-1]["train_loss"],
               "test_loss": test_loss, "test_accuracy": test_acc, "weights": str(out_dir / "weights.pt")}
    if main_rank:
        save(model, history, out_dir)
        print(json.dumps(summary))
    if world > 1:
        dist.barrier()  # leave together: rank 0 may still be saving, and an early exit can abort a peer
        dist.destroy_process_group()
    return summary


def save(model: nn.Module, history: list, out_dir: Path) -> None:
    """weights.pt (a state dict: torch.load(..., weights_only=True), or LayerLab's import) and history."""
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, out_dir / "weights.pt")
    (out_dir / "history.json").write_text(json.dumps(history, indent=1))


if __name__ == "__main__":
    main()
