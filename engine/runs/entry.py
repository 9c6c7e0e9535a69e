"""RunEntry: one run directory read into a row of the runs table. Reading never raises: a damaged
or half-written directory (killed mid-run, edited by hand) comes back with status 'damaged' and
`problem` saying why, or 'incomplete' with the INCOMPLETE marker's first line."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine.run_dir import INCOMPLETE, METRICS, PROJECT, SUMMARY
from engine.runs.annotations import ANNOTATIONS, read_annotations
from engine.runs.record import RECORD, best_metrics, parse_time, read_record

STATUSES = ("complete", "incomplete", "damaged")
SIGNATURE_FILES = (PROJECT, SUMMARY, METRICS, RECORD, ANNOTATIONS, INCOMPLETE)


@dataclass(frozen=True)
class RunEntry:
    """A run as the runs table shows it. `started` / `ended` are seconds since the epoch; `best`
    maps metrics ('val_accuracy', 'test_accuracy', 'val_loss', ...) to values; `settings` is flat
    ('training.lr' -> 0.01, 'dataset.subset' -> 256); `sweep` names the study and trial, if any."""

    id: str
    path: Path
    name: str
    started: float | None = None
    ended: float | None = None
    seconds: float | None = None
    device: str | None = None
    stop_reason: str | None = None
    status: str = "complete"
    problem: str = ""
    params: int | None = None
    macs: int | None = None
    best: dict[str, float] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    note: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    sweep: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:  # the dicts are not hashable: an entry is known by its directory and state
        return hash((self.id, self.path, self.status, self.started, self.ended, self.tags, self.note))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (path as text, tags as a sorted list)."""
        data = asdict(self)
        data["path"], data["tags"] = str(self.path), sorted(self.tags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunEntry:
        return cls(**{**data, "path": Path(data["path"]), "tags": frozenset(data.get("tags") or ())})


def signature(path: str | Path) -> str:
    """Changes whenever a file the entry is read from changes (modification times and sizes)."""
    parts = []
    for name in ("", *SIGNATURE_FILES):
        try:
            st = os.stat(os.path.join(path, name))
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    return "|".join(parts)


def flatten(values: Any, prefix: str) -> dict[str, Any]:
    """{'lr': 0.1, 'augment': {'flip': True}} -> {'training.lr': 0.1, 'training.augment.flip': True}."""
    if not isinstance(values, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            out.update(flatten(value, f"{prefix}.{key}"))
        else:
            out[f"{prefix}.{key}"] = value
    return out


def full_settings(project: dict[str, Any]) -> dict[str, Any]:
    """The training and dataset settings of a project document, defaults filled in, flat."""
    from engine.data.settings import DatasetSettings
    from engine.training.settings import TrainingSettings

    out: dict[str, Any] = {}
    for section, cls in (("training", TrainingSettings), ("dataset", DatasetSettings)):
        raw = project.get(section) or {}
        try:
            values = cls.from_dict(raw).to_dict()
        except Exception:  # settings edited by hand into something invalid: show them as they are
            values = raw
        out.update(flatten(values, section))
    return out


def _read_json(path: Path, name: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise _Damaged(f"{name} is not valid JSON ({error})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise _Damaged(f"{name} cannot be read ({error})") from None


class _Damaged(Exception):
    pass


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """metrics.jsonl's rows ([] when missing); raises ValueError naming a bad line."""
    file = Path(path) / METRICS
    if not file.exists():
        return []
    rows = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{METRICS} line {number} is not valid JSON ({error})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{METRICS} line {number} is not an object")
            rows.append(row)
    return rows


def read_entry(path: str | Path) -> RunEntry:
    """The entry for one run directory; never raises."""
    path = Path(path)
    try:
        return _read(path)
    except _Damaged as damaged:
        return RunEntry(path.name, path, path.name, status="damaged", problem=str(damaged),
                        started=_mtime(path / PROJECT) or _mtime(path))
    except Exception as error:  # whatever else a hand-edited file holds: listed, never raised
        return RunEntry(path.name, path, path.name, status="damaged", problem=f"{type(error).__name__}: {error}",
                        started=_mtime(path))


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _number(value: Any, kind: type = float) -> Any:
    return kind(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _read(path: Path) -> RunEntry:
    if not path.is_dir():
        raise _Damaged("the run directory is gone")
    if not (path / PROJECT).is_file():
        raise _Damaged(f"no {PROJECT}: not a LayerLab run directory, or its files were removed")
    project = _read_json(path / PROJECT, PROJECT)
    if not isinstance(project, dict) or not isinstance(project.get("graph"), dict):
        raise _Damaged(f"{PROJECT} is not a LayerLab project (no graph)")
    try:
        record = read_record(path)
    except ValueError as error:
        raise _Damaged(f"{RECORD}: {error}") from None
    try:
        notes = read_annotations(path)
    except ValueError as error:
        raise _Damaged(f"{ANNOTATIONS}: {error}") from None
    try:
        metrics = read_metrics(path)
    except ValueError as error:
        raise _Damaged(str(error)) from None
    status, problem, summary = "complete", "", {}
    if (path / INCOMPLETE).exists():
        status = "incomplete"
        text = (path / INCOMPLETE).read_text(encoding="utf-8", errors="replace").strip()
        problem = text.splitlines()[0] if text else "marked INCOMPLETE"
    if (path / SUMMARY).exists():
        summary = _read_json(path / SUMMARY, SUMMARY)
        if not isinstance(summary, dict):
            raise _Damaged(f"{SUMMARY} is not an object")
    elif status == "complete":
        raise _Damaged(f"no {SUMMARY}: the run never ended properly, or the file was removed")
    if status == "complete" and (summary.get("message") or summary.get("stopped_reason") == "failed"):
        problem = str(summary.get("message") or "the run failed")
    settings = full_settings(project)
    best = record.get("best") if isinstance(record.get("best"), dict) else best_metrics(summary, metrics)
    params, macs = _number(record.get("params"), int), _number(record.get("macs"), int)
    if params is None:
        params = _number(summary.get("parameters"), int)
    if macs is None and status != "damaged":
        macs = _legacy_macs(path)
    seed = _number(record.get("seed"), int)
    if seed is None:
        seed = _number(summary.get("seed"), int)
    if seed is None:
        seed = settings.get("training.seed")
    return RunEntry(
        id=path.name, path=path, name=str(record.get("name") or project.get("name") or path.name),
        started=parse_time(record.get("started")) or _mtime(path / PROJECT),
        ended=parse_time(record.get("ended")) or (_mtime(path / SUMMARY) if summary else None),
        seconds=_number(summary.get("train_seconds")) or _number(record.get("train_seconds")),
        device=record.get("device") or summary.get("device"),
        stop_reason=record.get("stop_reason") or summary.get("stopped_reason"),
        status=status, problem=problem, params=params, macs=macs,
        best={k: float(v) for k, v in best.items() if _number(v) is not None},
        tags=frozenset(notes["tags"]), note=notes["note"], settings=settings, seed=seed,
        sweep=record.get("sweep") if isinstance(record.get("sweep"), dict) else {})


def _legacy_macs(path: Path) -> int | None:
    """MACs of a run written before record.json existed (from its project; None if unreadable)."""
    try:
        from engine.project import load_project
        from engine.runs.record import network_cost

        return network_cost(load_project(path / PROJECT).network)[1]
    except Exception:
        return None
