"""Comparing runs: which settings differ, which layers were added, removed or changed, the
per-epoch curves as arrays, and the Pareto front of a metric against a cost (parameters, MACs,
training time)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.project import Project
from engine.runs.entry import RunEntry, read_metrics

CURVE_KEYS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds", "samples_per_second")


def settings_diff(a: RunEntry | Mapping[str, Any], b: RunEntry | Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{'training.lr': (0.01, 0.05), ...}: the flat settings whose values differ (None where one
    side lacks the key), sorted by key."""
    sa = a.settings if isinstance(a, RunEntry) else a
    sb = b.settings if isinstance(b, RunEntry) else b
    return {key: (sa.get(key), sb.get(key)) for key in sorted(set(sa) | set(sb)) if sa.get(key) != sb.get(key)}


@dataclass(frozen=True)
class LayerChange:
    """How one layer (by name) differs: its type, parameters {name: (a, b)}, its inputs (source
    layer names and ports, in order), and for a Block whether its definition differs."""

    name: str
    type: tuple[str, str] | None = None
    params: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    inputs: tuple[tuple, tuple] | None = None
    definition_changed: bool = False


@dataclass(frozen=True)
class ArchitectureDiff:
    added: list[str]
    removed: list[str]
    changed: list[LayerChange]

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed,
                "changed": [{"name": c.name, "type": c.type, "params": {k: list(v) for k, v in c.params.items()},
                             "inputs": c.inputs, "definition_changed": c.definition_changed} for c in self.changed]}


def _by_name(project: Project) -> dict[str, tuple]:
    """Network.architecture() keyed by layer name, with wires naming their source layers."""
    arch = project.network.architecture()
    names = {node_id: item[1] for node_id, item in arch.items()}
    out = {}
    for item in arch.values():
        kind, name, params, wires, *block = item
        inputs = tuple((names.get(src, src), sport, tport) for src, sport, tport in wires)
        out[name] = (kind, params, inputs, tuple(block))
    return out


def architecture_diff(project_a: Project, project_b: Project) -> ArchitectureDiff:
    """Layers added in b, removed from a, and changed (type, parameters, inputs, block definition),
    matched by layer name."""
    a, b = _by_name(project_a), _by_name(project_b)
    changed = []
    for name in sorted(set(a) & set(b)):
        (ka, pa, ia, ba), (kb, pb, ib, bb) = a[name], b[name]
        params = {k: (pa.get(k), pb.get(k)) for k in sorted(set(pa) | set(pb)) if pa.get(k) != pb.get(k)}
        change = LayerChange(name, (ka, kb) if ka != kb else None, params, (ia, ib) if ia != ib else None,
                             ba != bb and ka == kb)
        if change.type or change.params or change.inputs or change.definition_changed:
            changed.append(change)
    return ArchitectureDiff(sorted(set(b) - set(a)), sorted(set(a) - set(b)), changed)


def run_project(entry: RunEntry | str | Path) -> Project:
    """The project a run trained (its project.layerlab)."""
    from engine.project import load_project
    from engine.run_dir import PROJECT

    path = entry.path if isinstance(entry, RunEntry) else Path(entry)
    return load_project(path / PROJECT)


def curves(entry: RunEntry | str | Path) -> dict[str, np.ndarray]:
    """Per-epoch metrics as float arrays ('epoch' first; NaN where an epoch lacks a value, e.g.
    val_accuracy without validation); keys with no value at all are left out. {} when unreadable."""
    path = entry.path if isinstance(entry, RunEntry) else Path(entry)
    try:
        rows = read_metrics(path)
    except (OSError, ValueError):
        return {}
    if not rows:
        return {}
    out = {"epoch": np.array([_float(r.get("epoch"), i + 1) for i, r in enumerate(rows)], dtype=float)}
    for key in CURVE_KEYS:
        values = np.array([_float(r.get(key), math.nan) for r in rows], dtype=float)
        if not np.isnan(values).all():
            out[key] = values
    return out


def _float(value: Any, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def pareto_front(points: Sequence[tuple[float | None, float | None]], maximize_y: bool = True) -> list[int]:
    """Indices of the points (cost x, metric y) that no other point beats: none has a cost as low or
    lower and a metric as good or better with one of the two strictly better. Lower cost is better;
    a higher y is better when `maximize_y` (accuracy), a lower one otherwise (loss). Points with a
    missing or non-finite coordinate are left out. Sorted by cost."""
    valid = [(float(x), float(y) if maximize_y else -float(y), i) for i, (x, y) in enumerate(points)
             if x is not None and y is not None and math.isfinite(x) and math.isfinite(y)]
    valid.sort(key=lambda p: (p[0], -p[1]))
    front, best_y = [], -math.inf
    for _, y, i in valid:
        if y > best_y:
            front.append(i)
            best_y = y
    return front
