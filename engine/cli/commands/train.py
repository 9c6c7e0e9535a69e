"""`layerlab train PROJECT`: train headless and write a run directory (also under torchrun)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from engine.data.schema import SettingsError
from engine.project import load_project
from engine.training.settings import DEVICES, parse_assignment


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train a project headless and write a run directory",
        description="Train PROJECT with its dataset and training settings. Writes RUN_DIR/summary.json, "
                    "metrics.jsonl, weights.safetensors (best weights), checkpoint.pt and project.layerlab. "
                    "Under `torchrun --nproc_per_node=N -m engine train ...` it trains with "
                    "DistributedDataParallel. Exit 0 when training ends normally, 1 if it fails on the way "
                    "(e.g. the loss becomes NaN), 2 for bad arguments or settings.")
    parser.add_argument("project", help="a .layerlab project file")
    parser.add_argument("--epochs", type=int, help="number of epochs (overrides training.epochs)")
    parser.add_argument("--device", choices=DEVICES, help="auto (default), cpu, cuda or mps")
    parser.add_argument("--seed", type=int, help="random seed (overrides training.seed)")
    parser.add_argument("--out", metavar="RUN_DIR", help="run directory (default: runs/<project>-<time>)")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="change a setting, e.g. --set training.lr=0.05 --set dataset.subset=2000")
    parser.add_argument("--resume", metavar="CHECKPOINT", help="continue from a checkpoint.pt or run directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def apply_overrides(project, args) -> None:
    """Apply --set, --epochs, --device and --seed to the project's sections."""
    for text in args.assignments:
        section, key, value = parse_assignment(text)
        target = project.training if section == "training" else project.dataset
        *parents, leaf = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
            if not isinstance(target, dict):
                raise SettingsError(f"--set {text}: '{section}.{parent}' is not a section.")
        target[leaf] = value
    for key in ("epochs", "device", "seed"):
        value = getattr(args, key)
        if value is not None:
            project.training[key] = value


def run(args) -> int:
    from engine.run_dir import train_to_directory
    from engine.training import records as R
    from engine.training.distributed import finish
    from engine.training.trainer import Trainer

    started = time.strftime("%Y%m%d-%H%M%S")
    project = load_project(args.project)
    apply_overrides(project, args)
    out = Path(args.out) if args.out else Path("runs") / f"{Path(args.project).stem}-{started}"
    trainer = Trainer(project, resume_from=args.resume)
    progress = None if args.quiet else Progress()
    try:
        end = train_to_directory(trainer, out, progress)
    finally:
        if trainer.prepared is not None:
            finish(trainer.prepared.ctx)
    main = trainer.prepared is None or trainer.prepared.ctx.is_main
    if isinstance(end, R.Failed):
        if main:
            print(f"error: {end.message}", file=sys.stderr)
        return 2 if trainer.prepared is None else 1
    if main:
        final = end.summary.get("final", {})
        parts = [f"{k} {v:.4f}" for k, v in final.items() if v is not None]
        print(f"{end.reason}: {end.epochs_run} epochs, best epoch {end.best_epoch}; {', '.join(parts)}")
        print(f"run directory: {out}")
    return 0


class Progress:
    """One status line (epoch, step, loss, samples/s, ETA), redrawn in place on a terminal."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.total_steps = 0
        self.last = 0.0

    def __call__(self, record) -> None:
        from engine.training import records as R

        if isinstance(record, R.Started):
            self.total_steps = record.steps_per_epoch * record.epochs
            for note in record.notes:
                print(f"note: {note}", file=self.stream)
            print(f"training on {record.device} ({record.world_size} process(es)): {record.train_samples} "
                  f"samples, {record.parameters:,} parameters, {record.steps_per_epoch} steps per epoch",
                  file=self.stream)
        elif isinstance(record, R.StepRecord) and self.tty and time.monotonic() - self.last > 0.1:
            self.last = time.monotonic()
            left = max(0, self.total_steps - record.step) * record.train_seconds / max(record.step, 1)
            bar = self._bar(record.step / max(self.total_steps, 1))
            self.stream.write(f"\r{bar} epoch {record.epoch} step {record.step}/{self.total_steps} loss "
                              f"{record.loss:.4f} {record.samples_per_second:,.0f} samples/s ETA {left:.0f}s ")
            self.stream.flush()
        elif isinstance(record, R.EpochRecord):
            val = f", val loss {record.val_loss:.4f}" if record.val_loss is not None else ""
            acc = f", val acc {record.val_accuracy:.4f}" if record.val_accuracy is not None else ""
            train_acc = f", train acc {record.train_accuracy:.4f}" if record.train_accuracy is not None else ""
            print(("\r" if self.tty else "") + f"epoch {record.epoch}: train loss {record.train_loss:.4f}"
                  f"{train_acc}{val}{acc} ({record.seconds:.1f}s, {record.samples_per_second:,.0f} samples/s)"
                  + (" " * 20 if self.tty else ""), file=self.stream)

    @staticmethod
    def _bar(fraction: float, width: int = 20) -> str:
        done = int(round(min(max(fraction, 0.0), 1.0) * width))
        return "[" + "#" * done + "." * (width - done) + "]"
