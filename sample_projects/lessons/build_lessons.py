"""Regenerate the lesson projects and their index: `python sample_projects/lessons/build_lessons.py`.

Each lesson is written in code with the engine's NetworkBuilder (lessons_*.py); the Markdown files
beside them are written by hand. lessons.json lists the lessons in the course's order.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent.parent))

from lesson_kit import Lesson  # noqa: E402
from lessons_autoencoders import LESSONS as AUTOENCODERS  # noqa: E402
from lessons_basics import LESSONS as BASICS  # noqa: E402
from lessons_conv import LESSONS as CONV  # noqa: E402
from lessons_regularize import LESSONS as REGULARIZE  # noqa: E402

LESSONS: list[Lesson] = [*BASICS, *REGULARIZE, *CONV, *AUTOENCODERS]
"""In the course's order."""


def build(folder: Path = HERE) -> list[dict]:
    """Write every lesson project and lessons.json into `folder`; return the index."""
    index = []
    for lesson in LESSONS:
        lesson.make().save(folder / f"{lesson.id}.layerlab")
        index.append(lesson.entry())
    (folder / "lessons.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return index


if __name__ == "__main__":
    for entry in build():
        print(f"wrote {entry['project']}")
