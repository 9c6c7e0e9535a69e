"""The table of docs/export.md that says, for every torchvision classification model, whether it
imports exactly or is refused (and for which operations), with its parameters.

    python -m engine.importers.zoo_table          # rewrite the table between the markers
    python -m engine.importers.zoo_table --check  # exit 1 when the table is no longer true

The table is made from structural imports (the models are built on the meta device, so this takes
seconds); that the imported models also compute the same outputs as torchvision's is checked by
tests/engine/export/test_zoo_import.py (all models with `-m slow`)."""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from engine.importers.fx_graph import STORED
from engine.importers.torchvision_import import ImportRefused, import_torchvision, torchvision_names

DOC = Path(__file__).resolve().parents[2] / "docs" / "export.md"
BEGIN, END = "<!-- zoo-table:begin -->", "<!-- zoo-table:end -->"
PROBE_SIDES = (32, 64, 75, 224)
"""Input sides tried in turn: a model is probed with the smallest it accepts (inception_v3: 75)."""
_DOES_NOT_FIT = "try another --input-shape"


@dataclass(frozen=True)
class ZooEntry:
    name: str
    side: int
    """The side of the smallest square probe input (3 x side x side) the model accepts."""
    params: int
    refused: tuple[str, ...] = ()
    """The reasons of a refusal, one per kind of operation; empty: imports exactly."""

    @property
    def status(self) -> str:
        return "imports exactly" if not self.refused else "refused: " + "; ".join(self.refused)


def probe(name: str) -> ZooEntry:
    """Import `name` (structure only) with the smallest probe input it accepts."""
    refusal: ImportRefused | None = None
    for side in PROBE_SIDES:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = import_torchvision(name, (3, side, side), flat=True)
            return ZooEntry(name, side, result.reference_params)
        except ImportRefused as error:
            refusal = error
            if _DOES_NOT_FIT not in str(error):
                return ZooEntry(name, side, _reference_params(name), reasons(error.problems or [str(error)]))
    assert refusal is not None
    return ZooEntry(name, PROBE_SIDES[-1], _reference_params(name), (str(refusal).splitlines()[0],))


def _reference_params(name: str) -> int:
    from engine.importers.torchvision_import import build_reference

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sum(p.numel() for p in build_reference(name).parameters())


_SHORTER = ((re.compile(r"LayerLab has no layer for the tensor method (\S+)"), r"\1"),
            (re.compile(r"LayerLab has no layer for (\S+)"), r"\1"),
            (re.compile(r"the layer library has no (\S+)"), r"\1 (module)"))


def reasons(problems: list[str]) -> tuple[str, ...]:
    """The distinct reasons of a refusal, in order and in short (the operation the library lacks:
    '.reshape()', 'MultiheadAttention (module)'), the stored tensors read named together."""
    found: list[str] = []
    stored: list[str] = []
    for problem in problems:
        reason = problem.partition(": ")[2] or problem
        for pattern, short in _SHORTER:
            reason = pattern.sub(short, reason)
        if reason == STORED:
            if not stored:
                found.append("")  # its place in the order
            stored.append(problem.partition(": ")[0].strip("'").rsplit(".", 1)[-1])
        elif reason not in found:
            found.append(reason)
    distinct = list(dict.fromkeys(stored))
    names = ", ".join(distinct[:4]) + (f" and {len(distinct) - 4} more" if len(distinct) > 4 else "")
    return tuple(r or f"reads stored tensors directly ({names})" for r in found)


def table(entries: list[ZooEntry]) -> str:
    exact = sum(1 for e in entries if not e.refused)
    lines = [f"{exact} of {len(entries)} torchvision classification models import exactly "
             f"(torchvision {_torchvision_version()}; probe input 3 x side x side).", "",
             "| model | status | parameters | probe side |", "|---|---|---:|---:|"]
    lines += [f"| {e.name} | {e.status.replace('|', '/')} | {e.params:,} | {'' if e.refused else e.side} |"
              for e in entries]
    return "\n".join(lines)


def _torchvision_version() -> str:
    import torchvision

    return torchvision.__version__.split("+")[0]


def zoo() -> list[ZooEntry]:
    return [probe(name) for name in torchvision_names()]


def with_table(document: str, text: str) -> str:
    """The document with `text` between the markers."""
    start, end = document.index(BEGIN) + len(BEGIN), document.index(END)
    return f"{document[:start]}\n{text}\n{document[end:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the table is up to date")
    args = parser.parse_args(argv)
    document = DOC.read_text(encoding="utf-8")
    updated = with_table(document, table(zoo()))
    if args.check:
        if updated != document:
            print(f"{DOC} has an outdated zoo table: run python -m engine.importers.zoo_table", file=sys.stderr)
            return 1
        print("the zoo table is up to date")
        return 0
    DOC.write_text(updated, encoding="utf-8")
    print(f"wrote the zoo table to {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
