"""`layerlab runs list|show|compare|diff|tag|rm`: the history of training runs in a runs folder
(default $LAYERLAB_RUNS, else ./runs), read through engine.runs.index.RunIndex."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from engine.errors import LayerLabError

TABLE_METRICS = ("val_accuracy", "test_accuracy", "val_loss")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "runs", help="list, show, compare, diff, tag and delete training runs",
        description="The runs in a runs folder (--runs, default $LAYERLAB_RUNS or ./runs): every `layerlab "
                    "train`, window run and sweep trial. RUN is a run's id (its directory name, or a unique "
                    "start of it) or a run directory's path. Damaged run directories are listed with the reason.")
    commands = parser.add_subparsers(dest="runs_command", metavar="ACTION", required=True)

    def add(name: str, help_text: str, data: bool = True):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--runs", metavar="FOLDER", help="the runs folder (default $LAYERLAB_RUNS, else ./runs)")
        if data:
            sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
        return sub

    sub = add("list", "one line per run, newest first")
    sub.add_argument("filter", nargs="?", default="", help="only runs whose id, name, note, tags, device, "
                                                             "stop reason or status contain these words")
    sub.add_argument("--tag", action="append", default=[], help="only runs with this tag (repeatable)")
    sub.add_argument("--sort", default="started", help="sort by started (default), name, seconds, params, macs, "
                                                       "or a metric such as val_accuracy")
    sub.add_argument("--rebuild", action="store_true", help="rebuild the index from the run directories first")
    sub.set_defaults(func=run_list)

    sub = add("show", "everything recorded about one run")
    sub.add_argument("run")
    sub.set_defaults(func=run_show)

    sub = add("compare", "runs side by side: best results, cost, and the settings that differ")
    sub.add_argument("run", nargs="+")
    sub.set_defaults(func=run_compare)

    sub = add("diff", "the settings and the layers that differ between two runs")
    sub.add_argument("run_a")
    sub.add_argument("run_b")
    sub.set_defaults(func=run_diff)

    sub = add("tag", "change a run's tags or note", data=False)
    sub.add_argument("run")
    sub.add_argument("--add", action="append", default=[], metavar="TAG", help="add a tag (repeatable)")
    sub.add_argument("--remove", action="append", default=[], metavar="TAG", help="remove a tag (repeatable)")
    sub.add_argument("--note", help="replace the note ('' clears it)")
    sub.set_defaults(func=run_tag)

    sub = add("rm", "move runs to the runs folder's .trash (asks first)", data=False)
    sub.add_argument("run", nargs="+")
    sub.add_argument("--yes", "-y", action="store_true", help="do not ask")
    sub.set_defaults(func=run_rm)


# -- finding runs -------------------------------------------------------------------------
def _index(args, folder: Path | None = None):
    from engine.runs.folder import default_runs_folder
    from engine.runs.index import RunIndex

    return RunIndex(folder or (Path(args.runs) if args.runs else default_runs_folder()))


def _find(args, run: str):
    """(index, entry) for a run id, a unique start of one, or a run directory's path."""
    from engine.runs.index import UnknownRunError

    path = Path(run)
    if not args.runs and path.is_dir() and (path.parent != Path(".") or "/" in run):
        index = _index(args, path.resolve().parent)
        return index, index.get(path.resolve().name)
    index = _index(args)
    try:
        return index, index.get(run)
    except UnknownRunError:
        starts = [e for e in index.entries() if e.id.startswith(run)]
        if len(starts) == 1:
            return index, starts[0]
        if len(starts) > 1:
            raise LayerLabError(f"'{run}' starts {len(starts)} run ids ({', '.join(e.id for e in starts[:5])}"
                                f"{', ...' if len(starts) > 5 else ''}); give more of it.") from None
        raise


# -- formatting --------------------------------------------------------------------------
def _when(seconds: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds)) if seconds else "-"


def _num(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


ENTRY_COLUMNS = ("started", "ended", "name", "id", "seconds", "params", "macs", "device", "stop_reason", "status")


def _sort_value(entry, name: str) -> Any:
    return getattr(entry, name) if name in ENTRY_COLUMNS else entry.best.get(name)


# -- actions -----------------------------------------------------------------------------
def run_list(args) -> int:
    index = _index(args)
    if args.rebuild:
        index.rebuild()
    entries = index.entries(args.filter, set(args.tag) or None)
    if args.sort != "started":
        known = [e for e in entries if _sort_value(e, args.sort) is not None]
        missing = [e for e in entries if _sort_value(e, args.sort) is None]
        entries = sorted(known, key=lambda e: _sort_value(e, args.sort),
                         reverse=args.sort.endswith("accuracy")) + missing
    if args.json:
        print(json.dumps([e.to_dict() for e in entries]))
        return 0
    if not entries:
        print(f"no runs in {index.folder}" + (" match" if args.filter or args.tag else ""))
        return 0
    rows = [["ID", "STATUS", "STARTED", *(m.upper() for m in TABLE_METRICS), "PARAMS", "MACS", "SECONDS", "DEVICE",
             "STOP", "TAGS"]]
    for e in entries:
        rows.append([e.id, e.status, _when(e.started), *(_num(e.best.get(m)) for m in TABLE_METRICS), _num(e.params),
                     _num(e.macs), _num(e.seconds, 1), e.device or "-", e.stop_reason or "-", ",".join(sorted(e.tags))])
    print(_table(rows))
    for e in entries:
        if e.status != "complete" and e.problem:
            print(f"{e.status}: {e.id}: {e.problem}", file=sys.stderr)
    return 0


def run_show(args) -> int:
    from engine.runs.record import read_record

    _, entry = _find(args, args.run)
    data = entry.to_dict()
    try:
        data["record"] = read_record(entry.path)
    except (OSError, ValueError) as error:
        data["record"] = {"error": str(error)}
    if args.json:
        print(json.dumps(data))
        return 0
    record = data["record"]
    print(f"{entry.id}  ({entry.status}{': ' + entry.problem if entry.problem else ''})")
    lines = [("name", entry.name), ("path", str(entry.path)), ("started", _when(entry.started)),
             ("ended", _when(entry.ended)), ("training seconds", _num(entry.seconds, 2)),
             ("device", entry.device or "-"), ("stop reason", entry.stop_reason or "-"), ("seed", _num(entry.seed)),
             ("parameters", _num(entry.params)), ("MACs", _num(entry.macs)),
             ("tags", ", ".join(sorted(entry.tags)) or "-"), ("note", entry.note or "-")]
    data_info = record.get("data") if isinstance(record.get("data"), dict) else {}
    if data_info:
        split = data_info.get("split", {})
        lines.append(("data", f"{data_info.get('source')} {split.get('train')}/{split.get('val')}/{split.get('test')} "
                              f"(subset {data_info.get('subset')}), fingerprint {data_info.get('fingerprint')}"))
    if isinstance(record.get("versions"), dict):
        lines.append(("versions", ", ".join(f"{k} {v}" for k, v in record["versions"].items())))
    if entry.sweep:
        lines.append(("sweep", f"study {entry.sweep.get('study')}, trial {entry.sweep.get('trial')}"))
    for key, value in sorted(entry.best.items()):
        lines.append((key, _num(value)))
    width = max(len(k) for k, _ in lines)
    print("\n".join(f"  {k.ljust(width)}  {v}" for k, v in lines))
    changed = {k: v for k, v in entry.settings.items() if k in _changed_settings(entry)}
    if changed:
        print("  settings (not defaults):")
        print("\n".join(f"    {k} = {json.dumps(v)}" for k, v in sorted(changed.items())))
    return 0


def _changed_settings(entry) -> set[str]:
    """The settings keys that differ from the defaults (what the run's project set)."""
    from engine.runs.entry import full_settings

    defaults = full_settings({})
    return {k for k, v in entry.settings.items() if defaults.get(k) != v}


def run_compare(args) -> int:
    found = [_find(args, run)[1] for run in args.run]
    keys = sorted({k for e in found for k in e.settings if len({json.dumps(x.settings.get(k)) for x in found}) > 1})
    metrics = sorted({m for e in found for m in e.best})
    if args.json:
        print(json.dumps({"runs": [e.id for e in found],
                          "best": {m: [e.best.get(m) for e in found] for m in metrics},
                          "cost": {c: [getattr(e, c) for e in found] for c in ("params", "macs", "seconds")},
                          "settings": {k: [e.settings.get(k) for e in found] for k in keys}}))
        return 0
    rows = [["", *(e.id for e in found)], ["status", *(e.status for e in found)]]
    rows += [[m, *(_num(e.best.get(m)) for e in found)] for m in metrics]
    rows += [[c, *(_num(getattr(e, c), 1 if c == "seconds" else 4) for e in found)] for c in ("params", "macs",
                                                                                            "seconds")]
    rows += [[k, *(json.dumps(e.settings.get(k)) for e in found)] for k in keys]
    print(_table(rows))
    if not keys:
        print("(the same settings)")
    return 0


def run_diff(args) -> int:
    from engine.runs.compare import architecture_diff, run_project, settings_diff

    _, a = _find(args, args.run_a)
    _, b = _find(args, args.run_b)
    settings = settings_diff(a, b)
    try:
        arch = architecture_diff(run_project(a), run_project(b))
    except LayerLabError as error:
        raise LayerLabError(f"Cannot compare the networks: {error}") from None
    if args.json:
        print(json.dumps({"a": a.id, "b": b.id, "settings": {k: list(v) for k, v in settings.items()},
                          "architecture": arch.to_dict()}))
        return 0
    print(f"--- {a.id}\n+++ {b.id}")
    print("settings:" if settings else "settings: the same")
    for key, (va, vb) in settings.items():
        print(f"  {key}: {json.dumps(va)} -> {json.dumps(vb)}")
    print("layers:" if not arch.same else "layers: the same")
    for name in arch.added:
        print(f"  + {name}")
    for name in arch.removed:
        print(f"  - {name}")
    for change in arch.changed:
        parts = []
        if change.type:
            parts.append(f"type {change.type[0]} -> {change.type[1]}")
        parts += [f"{k} {json.dumps(va)} -> {json.dumps(vb)}" for k, (va, vb) in change.params.items()]
        if change.inputs:
            parts.append("inputs " + " -> ".join(",".join(src for src, *_ in side) or "none"
                                                   for side in change.inputs))
        if change.definition_changed:
            parts.append("block definition changed")
        print(f"  ~ {change.name}: {'; '.join(parts)}")
    return 0


def run_tag(args) -> int:
    index, entry = _find(args, args.run)
    if not (args.add or args.remove or args.note is not None):
        print(f"{entry.id}: tags {', '.join(sorted(entry.tags)) or '-'}; note {entry.note or '-'}")
        return 0
    if args.add or args.remove:
        entry = index.set_tags(entry.id, (set(entry.tags) | set(args.add)) - set(args.remove))
    if args.note is not None:
        entry = index.set_note(entry.id, args.note)
    print(f"{entry.id}: tags {', '.join(sorted(entry.tags)) or '-'}; note {entry.note or '-'}")
    return 0


def run_rm(args) -> int:
    found = [_find(args, run) for run in args.run]
    if not args.yes:
        names = ", ".join(entry.id for _, entry in found)
        if not sys.stdin.isatty():
            print(f"error: not deleting {names} without asking: run in a terminal, or add --yes", file=sys.stderr)
            return 2
        answer = input(f"Move {len(found)} run(s) to the trash ({names})? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 1
    for index, entry in found:
        where = index.delete(entry.id)
        print(f"moved {entry.id} to {where}")
    return 0
