"""Sweep search spaces: a JSON object from setting or layer parameter to a range of values.

    {"training.lr": {"log_uniform": [1e-4, 1e-1]},
     "training.batch_size": {"choice": [64, 128, 256]},
     "hidden1.units": {"int": [16, 256]},            # a layer parameter, by layer name
     "training.momentum": {"uniform": [0.0, 0.95], "points": 4}}

Kinds: uniform / log_uniform [low, high] (floats), int [low, high] (optional "step", "log": true),
choice [values...]. Grid search takes every choice, every int of a range (with its step) and
`points` (default 3) evenly (log-evenly) spaced values of a float range. Keys are `training.KEY`,
`dataset.KEY` (nested as `dataset.augment.flip`) or `LAYER.PARAM`; an unknown one is refused naming
it, with a "did you mean". Every range's ends and every choice are checked against the project
before a trial runs."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import LayerLabError
from engine.project import Project
from engine.validation import closest

KINDS = ("uniform", "log_uniform", "int", "choice")
SECTIONS = ("training", "dataset")
GRID_POINTS = 3


class SpaceError(LayerLabError):
    """A search space that cannot be used with this project."""


@dataclass(frozen=True)
class Dimension:
    """One searched setting: `key` ('training.lr'), `kind` (one of KINDS), `low` / `high` for ranges,
    `choices` for choice, `step` and `log` for int, `points` for a grid over a float range."""

    key: str
    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    step: int = 1
    log: bool = False
    points: int = GRID_POINTS

    def suggest(self, trial) -> Any:
        """The value an Optuna trial picks."""
        if self.kind == "choice":
            return trial.suggest_categorical(self.key, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.key, int(self.low), int(self.high), step=self.step, log=self.log)
        return trial.suggest_float(self.key, float(self.low), float(self.high), log=self.kind == "log_uniform")

    def grid(self) -> list:
        """The values grid search tries."""
        if self.kind == "choice":
            return list(self.choices)
        if self.kind == "int":
            return list(range(int(self.low), int(self.high) + 1, self.step))
        if self.points == 1:
            return [float(self.low)]
        if self.kind == "log_uniform":
            a, b = math.log(self.low), math.log(self.high)
            return [float(math.exp(a + (b - a) * i / (self.points - 1))) for i in range(self.points)]
        return [float(self.low + (self.high - self.low) * i / (self.points - 1)) for i in range(self.points)]

    def extremes(self) -> list:
        """The values that must all be valid: every choice, or a range's ends."""
        return list(self.choices) if self.kind == "choice" else [self.low, self.high]

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "choice":
            return {"choice": list(self.choices)}
        out: dict[str, Any] = {self.kind: [self.low, self.high]}
        if self.kind == "int" and self.step != 1:
            out["step"] = self.step
        if self.log and self.kind == "int":
            out["log"] = True
        if self.kind != "int" and self.kind != "choice" and self.points != GRID_POINTS:
            out["points"] = self.points
        return out


@dataclass(frozen=True)
class Space:
    dimensions: tuple[Dimension, ...]

    def suggest(self, trial) -> dict[str, Any]:
        return {d.key: d.suggest(trial) for d in self.dimensions}

    def grid(self) -> dict[str, list]:
        return {d.key: d.grid() for d in self.dimensions}

    def grid_size(self) -> int:
        return math.prod(len(values) for values in self.grid().values())

    def to_dict(self) -> dict[str, Any]:
        return {d.key: d.to_dict() for d in self.dimensions}


def load_space(path: str | Path) -> dict[str, Any]:
    """Read a space JSON file (SpaceError when it cannot be read)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpaceError(f"There is no search space file '{path}'.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpaceError(f"Cannot read the search space '{path}': {error}") from None
    except json.JSONDecodeError as error:
        raise SpaceError(f"The search space '{path}' is not valid JSON: {error}") from None
    return data


def parse_space(raw: Any, project: Project) -> Space:
    """Check a space (the JSON object) against `project`: every key names a setting or a layer
    parameter, every range is well formed and its values are accepted."""
    if not isinstance(raw, dict) or not raw:
        raise SpaceError("A search space is a JSON object with at least one entry, e.g. "
                         '{"training.lr": {"log_uniform": [0.0001, 0.1]}}.')
    dimensions = []
    for key, spec in raw.items():
        check_key(str(key), project)
        dimension = _dimension(str(key), spec)
        for value in dimension.extremes():
            try:
                apply_values(project, {dimension.key: value})
            except LayerLabError as error:
                raise SpaceError(f"Search space '{key}': the value {value!r} is refused: {error}") from None
        dimensions.append(dimension)
    return Space(tuple(dimensions))


def _dimension(key: str, spec: Any) -> Dimension:
    example = '{"log_uniform": [0.0001, 0.1]}, {"int": [16, 256]} or {"choice": [64, 128]}'
    if not isinstance(spec, dict):
        raise SpaceError(f"Search space '{key}': give a range or choices as an object, e.g. {example}.")
    kinds = [k for k in spec if k in KINDS]
    unknown = [k for k in spec if k not in (*KINDS, "step", "log", "points")]
    if unknown:
        close = closest(unknown[0], (*KINDS, "step", "log", "points"))
        hint = f" Did you mean '{close}'?" if close else ""
        raise SpaceError(f"Search space '{key}': unknown entry '{unknown[0]}'.{hint} Kinds: {', '.join(KINDS)}.")
    if len(kinds) != 1:
        raise SpaceError(f"Search space '{key}': give exactly one of {', '.join(KINDS)}, e.g. {example}.")
    kind, values = kinds[0], spec[kinds[0]]
    if kind == "choice":
        if not isinstance(values, list) or not values:
            raise SpaceError(f"Search space '{key}': 'choice' takes a non-empty list of values.")
        return Dimension(key, kind, choices=tuple(values))
    if (not isinstance(values, list) or len(values) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)):
        raise SpaceError(f"Search space '{key}': '{kind}' takes [low, high], two numbers.")
    low, high = values
    if not low < high:
        raise SpaceError(f"Search space '{key}': low ({low}) must be below high ({high}).")
    if kind == "log_uniform" and low <= 0:
        raise SpaceError(f"Search space '{key}': log_uniform needs low > 0 (got {low}).")
    if kind == "int":
        if int(low) != low or int(high) != high:
            raise SpaceError(f"Search space '{key}': 'int' takes whole numbers (got {values}).")
        step = spec.get("step", 1)
        if not isinstance(step, int) or isinstance(step, bool) or step < 1:
            raise SpaceError(f"Search space '{key}': 'step' must be a whole number >= 1.")
        return Dimension(key, kind, int(low), int(high), step=step, log=bool(spec.get("log", False)))
    points = spec.get("points", GRID_POINTS)
    if not isinstance(points, int) or isinstance(points, bool) or points < 1:
        raise SpaceError(f"Search space '{key}': 'points' must be a whole number >= 1.")
    return Dimension(key, kind, float(low), float(high), points=points)


def known_keys(project: Project) -> list[str]:
    """Every key a space may name: training.* and dataset.* settings and LAYER.PARAM."""
    from engine.data.settings import DatasetSettings
    from engine.training.settings import TrainingSettings

    keys = [f"training.{row['name']}" for row in TrainingSettings.describe()]
    keys += [f"dataset.{row['name']}" for row in DatasetSettings.describe()]
    network = project.network
    for node_id in network.node_ids:
        name = network.name_of(node_id)
        keys += [f"{name}.{param.name}" for param in network.spec(node_id).params]
    return keys


def check_key(key: str, project: Project) -> None:
    """Refuse a key that names no setting or layer parameter, saying what comes closest."""
    from engine.data.settings import DatasetSettings
    from engine.training.settings import TrainingSettings

    head, _, rest = key.partition(".")
    if head in SECTIONS and rest:
        cls = TrainingSettings if head == "training" else DatasetSettings
        if cls.metadata(rest):
            return
        _refuse(key, f"there is no setting '{key}'", project)
    names = {project.network.name_of(n): n for n in project.network.node_ids}
    if not rest:
        _refuse(key, "name a setting as training.KEY or dataset.KEY, or a layer parameter as LAYER.PARAM", project)
    if head not in names:
        close = closest(head, [*names, *SECTIONS])
        hint = f" Did you mean '{close}'?" if close else ""
        raise SpaceError(f"Search space '{key}': there is no layer named '{head}'.{hint} Layers: "
                         f"{', '.join(sorted(names))}.")
    params = [p.name for p in project.network.spec(names[head]).params]
    if rest not in params:
        close = closest(rest, params)
        hint = f" Did you mean '{head}.{close}'?" if close else ""
        raise SpaceError(f"Search space '{key}': layer '{head}' has no parameter '{rest}'.{hint} Its parameters: "
                         f"{', '.join(params) or 'none'}.")


def _refuse(key: str, why: str, project: Project) -> None:
    known = known_keys(project)
    close = next((k for k in (f"training.{key}", f"dataset.{key}") if k in known), None) or closest(key, known)
    hint = f" Did you mean '{close}'?" if close else ""
    raise SpaceError(f"Search space '{key}': {why}.{hint}")


def apply_values(project: Project, values: dict[str, Any]) -> Project:
    """A copy of `project` with the values set (settings and layer parameters), checked: a refused
    value raises SettingsError or ParamError."""
    from engine.data.settings import DatasetSettings
    from engine.training.settings import TrainingSettings

    copy = project.snapshot()
    for key, value in values.items():
        head, _, rest = key.partition(".")
        if head in SECTIONS:
            target = copy.training if head == "training" else copy.dataset
            *parents, leaf = rest.split(".")
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value
        else:
            copy.network.set_param(copy.network.find(head), rest, value)
    TrainingSettings.from_dict(copy.training)
    DatasetSettings.from_dict(copy.dataset)
    return copy
