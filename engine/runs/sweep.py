"""Sweeps with Optuna: search training and dataset settings and layer parameters; each trial is an
ordinary recorded run in the runs folder (tagged `sweep:STUDY` and `trial:N`, named 'STUDY #N'),
and the best trial's run is tagged `best`.

    result = run_sweep(project, space, SweepOptions(trials=20, sampler="tpe", prune=True), runs_folder)

The study lives in an Optuna storage: by default RUNS/sweeps.sqlite3; with `storage` an RDB URL
(postgresql://...) several machines work on one study, each running `layerlab sweep` with the same
URL and study name (docs/training.md). `trials` is the study's budget, counted over all workers
(each checks it before starting a trial). Pruning reports the monitored metric after every epoch
(`trial.report` / `should_prune`) and stops a poor trial between epochs (Trainer.stop: its final
evaluation still runs, its record says stop_reason 'pruned'). A failed trial (a refused value, a
loss that became NaN) is recorded as failed and the study goes on."""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import LayerLabError
from engine.project import Project
from engine.runs.annotations import read_annotations, write_annotations
from engine.runs.folder import SWEEP_STORAGE
from engine.runs.record import update_record
from engine.runs.space import Space, apply_values

SAMPLERS = ("grid", "random", "tpe")
CONNECT_TIMEOUT = 10
"""Seconds to wait for a storage server before giving up (an unreachable URL fails fast)."""


class SweepError(LayerLabError):
    """A sweep cannot start: Optuna missing, storage unreachable, a study that does not fit."""


@dataclass
class SweepOptions:
    """`metric`: what the trials are ranked by (default: val_accuracy for classification, else
    val_loss); `direction`: 'maximize' or 'minimize' (default from the metric); `seed`: the
    sampler's; `pruner`: an Optuna pruner to use instead of the default median rule (tests)."""

    trials: int
    sampler: str = "tpe"
    prune: bool = False
    storage: str | None = None
    study: str | None = None
    metric: str | None = None
    direction: str | None = None
    seed: int | None = None
    pruner: Any = None


@dataclass
class TrialResult:
    number: int
    run_dir: Path | None
    values: dict[str, Any]
    state: str  # 'complete', 'pruned' or 'failed'
    value: float | None = None
    epochs: int = 0
    message: str = ""


@dataclass
class SweepResult:
    study: str
    storage: str
    metric: str
    direction: str
    trials: list[TrialResult] = field(default_factory=list)
    best: TrialResult | None = None
    best_number: int | None = None
    best_value: float | None = None


def _optuna():
    try:
        import optuna
    except ImportError:
        raise SweepError("Sweeps need Optuna: pip install 'layerlab[sweep]' (or pip install optuna).") from None
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # LayerLab reports each trial itself
    return optuna


def redact(url: str) -> str:
    """The URL without its password, for messages and records."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def default_storage(runs_folder: str | Path) -> str:
    return f"sqlite:///{(Path(runs_folder) / SWEEP_STORAGE).resolve()}"


def _with_driver(url: str) -> str:
    """postgresql:// names no driver: SQLAlchemy 2.1 takes psycopg (3); use psycopg2 when only it is here."""
    import importlib.util

    scheme, sep, rest = url.partition("://")
    if sep and scheme in ("postgresql", "postgres") and importlib.util.find_spec("psycopg") is None \
            and importlib.util.find_spec("psycopg2") is not None:
        return f"postgresql+psycopg2://{rest}"
    return url


DRIVERS = {"postgres": "psycopg[binary] (or psycopg2-binary)", "mysql": "PyMySQL"}


def _create_storage(optuna, url: str, kwargs: dict[str, Any], attempts: int = 5):
    """Workers started together race to create Optuna's tables (a duplicate key on the server): the
    loser tries again, when the winner's tables exist."""
    import random

    from sqlalchemy.exc import IntegrityError, ProgrammingError

    for attempt in range(attempts):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=kwargs or None)
        except (IntegrityError, ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 + random.random())
    raise AssertionError("unreachable")


def open_storage(url: str):
    """An Optuna RDB storage for `url`, connected now: an unreachable server, a missing driver or
    a malformed URL fails at once with a SweepError saying which."""
    optuna = _optuna()
    kwargs: dict[str, Any] = {}
    if url.startswith(("postgres", "mysql")):
        kwargs = {"connect_args": {"connect_timeout": CONNECT_TIMEOUT}, "pool_pre_ping": True}
    elif url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    try:
        return _create_storage(optuna, _with_driver(url), kwargs)
    except ImportError:
        driver = next((d for prefix, d in DRIVERS.items() if url.startswith(prefix)), "its database driver")
        raise SweepError(f"The storage '{redact(url)}' needs a database driver: pip install {driver}.") from None
    except Exception as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SweepError(f"Cannot use the sweep storage '{redact(url)}': {first}. Check the URL (e.g. "
                         f"postgresql://USER:PASSWORD@HOST:5432/DB) and that the server is running and "
                         f"reachable.") from None


def default_metric(project: Project) -> tuple[str, str]:
    task = (project.dataset or {}).get("task", "classification")
    return ("val_accuracy", "maximize") if task == "classification" else ("val_loss", "minimize")


def make_sampler(name: str, space: Space, seed: int | None):
    optuna = _optuna()
    if name == "grid":
        return optuna.samplers.GridSampler(space.grid(), seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    raise SweepError(f"Unknown sampler '{name}'; use one of {', '.join(SAMPLERS)}.")


class SweepControl:
    """Stops a sweep from another thread (the window's Stop): the trial in progress stops between
    steps (its run is kept, recorded with stop_reason 'stopped', and told to Optuna as failed, its
    figures being partial) and no other trial starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.stopped = False
        self._trainer = None

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            if self._trainer is not None:
                self._trainer.stop()

    def attach(self, trainer) -> None:
        """The trial now training (None between trials)."""
        with self._lock:
            self._trainer = trainer
            if trainer is not None and self.stopped:
                trainer.stop()


def safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("._") or "sweep"


def run_sweep(project: Project, space: Space, options: SweepOptions, runs_folder: str | Path,
              on_trial: Callable[[TrialResult], None] | None = None,
              on_record: Callable[[Any], None] | None = None,
              control: SweepControl | None = None) -> SweepResult:
    """Run trials until the study holds `options.trials` of them (over all its workers) or `control`
    is stopped; returns what this worker ran and the study's best trial. `on_trial` hears each
    finished trial, `on_record` every training record of every trial (live views)."""
    optuna = _optuna()
    control = control or SweepControl()
    runs_folder = Path(runs_folder)
    stem = Path(project.path).stem if project.path else project.name
    study_name = options.study or f"{safe_name(stem)}-{time.strftime('%Y%m%d-%H%M%S')}"
    url = options.storage or default_storage(runs_folder)
    storage = open_storage(url)
    metric, direction = default_metric(project)
    metric = options.metric or metric
    direction = options.direction or ("minimize" if metric.endswith("loss") else
                                      "maximize" if options.metric else direction)
    budget = options.trials
    if options.sampler == "grid":
        budget = min(budget, space.grid_size())
    pruner = options.pruner or (optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0)
                                if options.prune else optuna.pruners.NopPruner())
    try:
        study = optuna.create_study(storage=storage, sampler=make_sampler(options.sampler, space, options.seed),
                                    pruner=pruner, study_name=study_name, direction=direction, load_if_exists=True)
    except ValueError as error:  # an existing study with another direction
        raise SweepError(f"Study '{study_name}': {error}") from None
    _check_same_study(study, space, metric)
    result = SweepResult(study_name, redact(url), metric, direction)

    def objective(trial) -> float:
        outcome = _run_trial(project, space, trial, study_name, url, metric, runs_folder, on_record, control)
        result.trials.append(outcome)
        if on_trial is not None:
            on_trial(outcome)
        if outcome.message:
            trial.set_user_attr("message", outcome.message[:500])
        if outcome.state == "pruned":
            raise optuna.TrialPruned()
        if outcome.state == "failed":
            raise _TrialFailed(outcome.message)
        return outcome.value

    def enough(study, _trial) -> None:
        if control.stopped or len(study.get_trials(deepcopy=False)) >= budget:
            study.stop()

    if not control.stopped and len(study.get_trials(deepcopy=False)) < budget:
        study.optimize(objective, callbacks=[enough], catch=(_TrialFailed,), gc_after_trial=False)
    _mark_best(study, result, runs_folder)
    return result


class _TrialFailed(Exception):
    """A trial whose run failed (it is recorded; the study goes on)."""


def _check_same_study(study, space: Space, metric: str) -> None:
    """Workers joining a study must search the same space for the same metric."""
    attrs = study.user_attrs
    if "space" not in attrs:
        study.set_user_attr("space", space.to_dict())
        study.set_user_attr("metric", metric)
        return
    if attrs.get("space") != space.to_dict() or attrs.get("metric") != metric:
        raise SweepError(f"Study '{study.study_name}' searches {attrs.get('space')} for {attrs.get('metric')}; "
                         f"this sweep asks for {space.to_dict()} for {metric}. Use the same space and metric, "
                         f"or another --study name.")


def _run_trial(project: Project, space: Space, trial, study_name: str, url: str, metric: str,
               runs_folder: Path, on_record, control: SweepControl) -> TrialResult:
    from engine.run_dir import train_to_directory
    from engine.training import records as R
    from engine.training.trainer import Trainer

    values = space.suggest(trial)
    run_dir = runs_folder / f"{safe_name(study_name)}-trial{trial.number:03d}"
    outcome = TrialResult(trial.number, None, values, "failed")
    trial.set_user_attr("run_id", run_dir.name)
    try:
        trainer = Trainer(apply_values(project, values))
    except LayerLabError as error:
        outcome.message = str(error)
        return outcome
    tags = [f"sweep:{study_name}", f"trial:{trial.number}"]
    pruned = []

    def watch(record) -> None:
        if isinstance(record, R.Started):
            write_annotations(run_dir, tags=tags)
        elif isinstance(record, R.EpochRecord):
            value = getattr(record, metric, None)
            if value is not None and math.isfinite(value):
                trial.report(float(value), record.epoch)
                if record.epoch < trainer.settings.epochs and trial.should_prune():
                    pruned.append(record.epoch)
                    trainer.stop()
        if on_record is not None:
            on_record(record)

    extra = {"name": f"{study_name} #{trial.number}",
             "sweep": {"study": study_name, "trial": trial.number, "storage": redact(url), "params": values,
                       "metric": metric}}
    control.attach(trainer)
    try:
        end = train_to_directory(trainer, run_dir, watch, extra)
    finally:
        control.attach(None)
    outcome.run_dir = run_dir if run_dir.exists() else None
    outcome.epochs = end.epochs_run
    if isinstance(end, R.Failed):
        outcome.message = end.message
        return outcome
    if pruned:
        outcome.state = "pruned"
        update_record(run_dir, stop_reason="pruned")
        return outcome
    if control.stopped and end.reason in ("stopped", "aborted"):
        outcome.message = "the sweep was stopped during this trial"
        return outcome
    final = (end.summary or {}).get("final", {})
    value = final.get(metric)
    if value is None:
        value = next((row.get(metric) for row in reversed(trainer.history) if row.get(metric) is not None), None)
    if value is None or not math.isfinite(value):
        outcome.message = f"the run has no {metric} (no validation split?); choose --metric"
        return outcome
    outcome.state, outcome.value = "complete", float(value)
    return outcome


def _mark_best(study, result: SweepResult, runs_folder: Path) -> None:
    """Tag the study's best trial's run `best` (and no other run of the study), where it is here."""
    try:
        best = study.best_trial
    except ValueError:  # no complete trial
        return
    result.best_number, result.best_value = best.number, best.value
    result.best = next((t for t in result.trials if t.number == best.number), None)
    best_id = best.user_attrs.get("run_id")
    for trial in study.get_trials(deepcopy=False):
        run_id = trial.user_attrs.get("run_id")
        path = runs_folder / run_id if run_id else None
        if path is None or not path.is_dir():
            continue
        try:
            tags = set(read_annotations(path)["tags"])
        except (OSError, ValueError):
            continue
        wanted = tags | {"best"} if run_id == best_id else tags - {"best"}
        if wanted != tags:
            write_annotations(path, tags=wanted)
