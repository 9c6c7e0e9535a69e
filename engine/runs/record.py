"""record.json: what makes a run reproducible, beside the files engine.run_dir writes.

    RUN_DIR/record.json   format, name, started / ended (ISO 8601, UTC), seed, data (source, split
                          sizes, subset, fingerprint), versions (python, torch, torchvision,
                          layerlab), device, params, macs, stop_reason, epochs, best, sweep (a trial)

Written when the run starts and again when it ends, by `RunRecorder` (the one writer of run
directories, shared by the window and `layerlab train`); read back by engine.runs.entry."""

from __future__ import annotations

import hashlib
import json
import platform
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from engine.atomic import atomic_write_text

RECORD = "record.json"
FORMAT = 1
BEST_KEYS = ("val_accuracy", "val_loss", "test_accuracy", "test_loss", "train_accuracy", "train_loss")
FINGERPRINT_SAMPLES = 64
"""The fingerprint hashes every label and the inputs of at most this many samples per split (cheap)."""


def iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def parse_time(text: Any) -> float | None:
    """Seconds since the epoch from an ISO 8601 time; None when missing or unreadable."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def versions() -> dict[str, str | None]:
    """The versions a run depends on (None: not installed)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in ("torch", "torchvision", "layerlab"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def data_fingerprint(dataset) -> dict[str, Any]:
    """Source, split sizes, subset and a hash of the samples a run used (engine.data.dataset.Dataset):
    equal hashes mean the same samples in the same order (labels in full, inputs sampled)."""
    s = dataset.settings
    digest = hashlib.sha256(f"{s.source}|{s.seed}|{s.task}".encode())
    sizes = {}
    for name in ("train", "val", "test"):
        split = getattr(dataset, name)
        sizes[name] = len(split)
        digest.update(f"|{name}:{len(split)}".encode())
        if split.in_memory:
            step = max(1, len(split) // FINGERPRINT_SAMPLES)
            digest.update(split.x[::step][:FINGERPRINT_SAMPLES].detach().to("cpu").contiguous().numpy().tobytes())
            if split.y is not None:
                digest.update(split.y.detach().to("cpu").contiguous().numpy().tobytes())
    return {"source": s.source, "task": s.task, "seed": s.seed, "split": sizes,
            "validation_split": s.validation_split, "test_split": s.test_split, "subset": s.subset,
            "test_subset": s.test_subset, "fingerprint": digest.hexdigest()[:32]}


def network_cost(network) -> tuple[int | None, int | None]:
    """(parameters, multiply-accumulates) from the shape analysis; None where it cannot tell."""
    try:
        from engine.shapes import infer_shapes

        analysis = infer_shapes(network)
        return analysis.total_params, analysis.total_macs
    except Exception:  # a network the analysis cannot read still trained: leave the figures out
        return None, None


def best_metrics(summary: dict[str, Any], metrics: list[dict[str, Any]]) -> dict[str, float]:
    """The best results: the final figures (the best weights, when restored), else the best epoch's."""
    best: dict[str, float] = {}
    final = summary.get("final") if isinstance(summary.get("final"), dict) else {}
    for key in BEST_KEYS:
        value = final.get(key)
        if isinstance(value, (int, float)):
            best[key] = float(value)
            continue
        values = [row[key] for row in metrics if isinstance(row, dict) and isinstance(row.get(key), (int, float))]
        if values:
            best[key] = float(max(values) if key.endswith("accuracy") else min(values))
    return best


def read_record(path: str | Path) -> dict[str, Any]:
    """record.json of a run directory; {} when there is none (raises for an unreadable one)."""
    file = Path(path) / RECORD
    if not file.exists():
        return {}
    data = json.loads(file.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{RECORD} holds {type(data).__name__}, not an object")
    return data


def write_record(path: str | Path, record: dict[str, Any]) -> None:
    from engine.run_dir import _jsonable

    atomic_write_text(Path(path) / RECORD, json.dumps(_jsonable(record), indent=2) + "\n")


def update_record(path: str | Path, **changes: Any) -> dict[str, Any]:
    """Merge `changes` into a run's record.json (e.g. a sweep's stop_reason 'pruned')."""
    try:
        record = read_record(path)
    except (OSError, ValueError):
        record = {}
    record.update(changes)
    write_record(path, record)
    return record


class RecordWriter:
    """Writes record.json as a run goes: `started(trainer, record)`, then `ended(trainer, end)`.
    `extra` (a name, a sweep trial...) is merged into the record."""

    def __init__(self, path: str | Path, extra: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        self.extra = dict(extra or {})
        self.record: dict[str, Any] = {}
        self.clock = time.perf_counter()

    def started(self, trainer, started) -> None:
        p = trainer.prepared
        params, macs = network_cost(p.network)
        self.record = {"format": FORMAT, "name": trainer.project.name, "started": iso_now(), "ended": None,
                       "seed": trainer.settings.seed, "data": data_fingerprint(p.dataset), "versions": versions(),
                       "device": started.device, "world_size": started.world_size, "host": platform.node(),
                       "params": started.parameters if params is None else params, "macs": macs,
                       "resumed_from_step": started.start_step or None, "stop_reason": None, **self.extra}
        write_record(self.path, self.record)

    def ended(self, trainer, end) -> None:
        from engine.run_dir import _jsonable

        summary = end.summary or {}
        self.record.update(ended=iso_now(), stop_reason=end.reason, epochs=end.epochs_run,
                           train_seconds=summary.get("train_seconds"), wall_seconds=summary.get("wall_seconds"),
                           best_epoch=end.best_epoch, monitor=end.monitor or None,
                           best=best_metrics(summary, _jsonable(trainer.history)))
        if getattr(end, "message", None):
            self.record["message"] = end.message
        write_record(self.path, self.record)
