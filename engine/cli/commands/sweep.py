"""`layerlab sweep PROJECT --space SPACE.json --trials N`: search settings and layer parameters with
Optuna (grid, random or TPE), each trial an ordinary recorded run in the runs folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    from engine.runs.sweep import SAMPLERS

    parser = subparsers.add_parser(
        "sweep", help="search settings and layer parameters (Optuna); each trial is a recorded run",
        description="Train PROJECT once per trial with values from SPACE.json, e.g. {\"training.lr\": "
                    "{\"log_uniform\": [1e-4, 1e-1]}, \"training.batch_size\": {\"choice\": [64, 128, 256]}, "
                    "\"hidden1.units\": {\"int\": [16, 256]}} (see docs/training.md, \"Sweeps\"). Each trial "
                    "writes a run directory in the runs folder, tagged sweep:STUDY and trial:N; the best is "
                    "tagged best. Several machines share a study through one --storage URL and --study name. "
                    "Needs the optional extra: pip install 'layerlab[sweep]'. Exit 0 when a trial completed, "
                    "1 when none did, 2 for bad arguments, space or storage.")
    parser.add_argument("project", help="a .layerlab project file")
    parser.add_argument("--space", required=True, metavar="SPACE.json", help="the search space (JSON)")
    parser.add_argument("--trials", type=int, required=True, metavar="N",
                        help="the study's trial budget, counted over every worker")
    parser.add_argument("--sampler", choices=SAMPLERS, default="tpe", help="grid, random or tpe (default)")
    parser.add_argument("--prune", action="store_true",
                        help="stop poor trials early (median rule on the per-epoch metric)")
    parser.add_argument("--storage", metavar="URL", help="Optuna storage URL, e.g. postgresql://user:pw@host/db "
                                                         "(default: sqlite in the runs folder)")
    parser.add_argument("--study", metavar="NAME", help="study name (default: <project>-<time>); workers "
                                                        "sharing a study give the same name")
    parser.add_argument("--runs", metavar="FOLDER", help="the runs folder (default $LAYERLAB_RUNS, else ./runs)")
    parser.add_argument("--metric", help="rank trials by this (default val_accuracy, or val_loss without classes)")
    parser.add_argument("--direction", choices=("maximize", "minimize"), help="default: from the metric")
    parser.add_argument("--seed", type=int, help="the sampler's seed")
    parser.add_argument("--set", dest="assignments", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="change a setting for every trial, e.g. --set training.epochs=3")
    parser.add_argument("--json", action="store_true", help="print the result as JSON at the end")
    parser.set_defaults(func=run)


def run(args) -> int:
    from engine.errors import LayerLabError
    from engine.project import load_project
    from engine.runs.folder import default_runs_folder
    from engine.runs.space import load_space, parse_space
    from engine.runs.sweep import SweepOptions, run_sweep
    from engine.training.settings import parse_assignment

    if args.trials < 1:
        raise LayerLabError("--trials must be at least 1.")
    project = load_project(args.project)
    for text in args.assignments:
        section, key, value = parse_assignment(text)
        target = project.training if section == "training" else project.dataset
        *parents, leaf = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    space = parse_space(load_space(args.space), project)
    runs = Path(args.runs) if args.runs else default_runs_folder()
    options = SweepOptions(trials=args.trials, sampler=args.sampler, prune=args.prune, storage=args.storage,
                           study=args.study, metric=args.metric, direction=args.direction, seed=args.seed)

    def report(trial) -> None:
        values = " ".join(f"{k}={_short(v)}" for k, v in trial.values.items())
        if trial.state == "complete":
            what = f"{trial.value:.4f}"
        elif trial.state == "pruned":
            what = f"pruned after epoch {trial.epochs}"
        else:
            what = f"failed: {trial.message}"
        print(f"trial {trial.number}: {values} -> {what}" + (f"  [{trial.run_dir}]" if trial.run_dir else ""),
              file=sys.stderr if args.json else sys.stdout, flush=True)

    result = run_sweep(project, space, options, runs, on_trial=report)
    if args.json:
        print(json.dumps({"study": result.study, "storage": result.storage, "metric": result.metric,
                          "direction": result.direction, "best_trial": result.best_number,
                          "best_value": result.best_value,
                          "trials": [{"number": t.number, "state": t.state, "value": t.value, "values": t.values,
                                      "epochs": t.epochs, "run_dir": str(t.run_dir) if t.run_dir else None,
                                      "message": t.message} for t in result.trials]}))
    else:
        print(f"study {result.study} ({result.storage}): this worker ran {len(result.trials)} trial(s)")
        if result.best_number is not None:
            print(f"best: trial {result.best_number}, {result.metric} {result.best_value:.4f}")
    return 0 if any(t.state == "complete" for t in result.trials) or result.best_number is not None else 1


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else json.dumps(value)
