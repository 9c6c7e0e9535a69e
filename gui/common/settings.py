"""Where LayerLab keeps its settings (QSettings, INI format), recent files and recovery files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from engine import resources

ORGANIZATION = "LayerLab"
APPLICATION = "LayerLab"
MAX_RECENT = 8
SAMPLES_DIR = resources.samples_dir()
FIRST_RUN_SAMPLE = resources.sample("mnist_mlp")


def settings() -> QSettings:
    """The app's settings. Tests isolate them with QSettings.setPath(IniFormat, UserScope, tmp)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def data_dir() -> Path:
    """A folder beside the settings file for app data (recovery files)."""
    folder = Path(settings().fileName()).parent / APPLICATION
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def recent_files() -> list[str]:
    value = settings().value("recent_files", [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in (value or []) if v]


def add_recent(path: str | Path) -> None:
    path = str(Path(path).resolve())
    files = [path] + [p for p in recent_files() if p != path]
    settings().setValue("recent_files", files[:MAX_RECENT])


def remove_recent(path: str | Path) -> None:
    path = str(Path(path).resolve())
    settings().setValue("recent_files", [p for p in recent_files() if p != path])


def startup_project() -> Path:
    """The last project that still exists, or the MNIST perceptron sample on first run."""
    for path in recent_files():
        if Path(path).is_file():
            return Path(path)
    return FIRST_RUN_SAMPLE


def sample_paths() -> list[Path]:
    return resources.sample_paths()
