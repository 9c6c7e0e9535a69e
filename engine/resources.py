"""Where LayerLab's shipped files are: the MNIST folder and the sample projects.

They sit beside the `engine` package in every install: in a checkout (and an editable install)
`resources/` and `sample_projects/` are at the top of the repository next to `engine/`; a wheel
lays out `site-packages/layerlab/` the same way (docs/packaging.md). Everything that needs one of
them asks this module, never a path of its own."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SAMPLE_SUFFIX = ".layerlab"


def root() -> Path:
    """The folder holding `engine/` and the resource folders (the checkout, or site-packages/layerlab)."""
    return Path(str(files("engine"))).parent


def mnist_dir() -> Path:
    """The shipped MNIST IDX files (train/t10k images and labels, gzip'd)."""
    return root() / "resources" / "datasets" / "mnist"


def samples_dir() -> Path:
    """The folder of sample projects shown in the app's gallery."""
    return root() / "sample_projects"


def sample_paths() -> list[Path]:
    """Every sample project, sorted by file name (hidden files, e.g. a save's leftover temporary
    file, are not samples)."""
    return sorted(path for path in samples_dir().glob(f"*{SAMPLE_SUFFIX}") if not path.name.startswith("."))


def sample(name: str) -> Path:
    """One sample project by stem, e.g. sample("lenet5")."""
    return samples_dir() / f"{name}{SAMPLE_SUFFIX}"


def lessons_dir() -> Path:
    """The course's lessons: projects, their explanations (Markdown) and `lessons.json`, the index."""
    return samples_dir() / "lessons"


def lessons() -> list[dict]:
    """The lessons in course order, each {'id', 'title', 'project', 'text', 'views', 'expect'}, with
    'project' and 'text' as full paths; an unreadable index gives none."""
    import json

    folder = lessons_dir()
    try:
        index = json.loads((folder / "lessons.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = []
    for entry in index if isinstance(index, list) else []:
        if isinstance(entry, dict) and {"id", "title", "project", "text"} <= set(entry):
            found.append({**entry, "project": folder / entry["project"], "text": folder / entry["text"],
                          "views": list(entry.get("views", [])), "expect": str(entry.get("expect", ""))})
    return found
