"""Tags and a note on a run: annotations.json in its run directory, so they survive an index rebuild.

    {"tags": ["baseline", "sweep:lr-search"], "note": "the one with the larger batch"}"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine.atomic import atomic_write_text

ANNOTATIONS = "annotations.json"


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags without surrounding space, empty ones or repeats, sorted."""
    return sorted({str(tag).strip() for tag in tags if str(tag).strip()})


def read_annotations(path: str | Path) -> dict[str, Any]:
    """{'tags': [...], 'note': '...'}; empty when the file is missing (raises for an unreadable one)."""
    file = Path(path) / ANNOTATIONS
    if not file.exists():
        return {"tags": [], "note": ""}
    data = json.loads(file.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{ANNOTATIONS} holds {type(data).__name__}, not an object")
    tags = data.get("tags") or []
    if not isinstance(tags, list):
        raise ValueError(f"{ANNOTATIONS}: 'tags' is not a list")
    note = data.get("note") or ""
    return {"tags": clean_tags(tags), "note": str(note)}


def write_annotations(path: str | Path, *, tags: Iterable[str] | None = None, note: str | None = None) -> dict:
    """Replace the tags and/or the note (None: keep), atomically; returns what is stored now."""
    try:
        current = read_annotations(path)
    except (OSError, ValueError):
        current = {"tags": [], "note": ""}
    if tags is not None:
        current["tags"] = clean_tags(tags)
    if note is not None:
        current["note"] = str(note)
    atomic_write_text(Path(path) / ANNOTATIONS, json.dumps(current, indent=2) + "\n")
    return current
