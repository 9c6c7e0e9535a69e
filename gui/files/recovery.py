"""Autosave to a recovery file while there are unsaved changes; after a crash the next start
offers to restore it. A clean save or a normal close removes the recovery file."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from engine.atomic import atomic_write_text
from engine.errors import LayerLabError, ProjectError
from engine.project import Project, project_from_dict
from gui.document.document import Document

INTERVAL_MS = 30_000  # at least once a minute while there are unsaved changes
SUFFIX = ".layerlab-recovery"


class AutoSaver(QObject):
    def __init__(self, document: Document, directory: Path, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(document)
        self.document = document
        self.path = directory / f"autosave-{uuid.uuid4().hex[:12]}{SUFFIX}"
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()
        document.undo_stack.cleanChanged.connect(self._on_clean_changed)

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self.discard()

    def save_now(self) -> bool:
        """Write the recovery file if there are unsaved changes; returns whether it wrote one."""
        if not self.document.is_modified:
            return False
        project = self.document.project
        record = {"layerlab_recovery": 1, "pid": os.getpid(), "saved_at": time.time(),
                  "original_path": str(project.path) if project.path else None, "project": project.to_dict()}
        try:
            atomic_write_text(self.path, json.dumps(record))
        except OSError:
            return False  # a failed autosave must never interrupt the person's work
        return True

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def find_recoveries(directory: Path) -> list[Path]:
    """Recovery files left by LayerLab processes that are no longer running, newest first."""
    found = []
    for path in directory.glob(f"*{SUFFIX}"):
        try:
            pid = json.loads(path.read_text(encoding="utf-8")).get("pid")
        except (OSError, ValueError, AttributeError):
            pid = None
        if pid == os.getpid() or not _alive(pid):  # this process: only at start-up, so a crash
            found.append(path)
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def load_recovery(path: Path) -> Project:
    """The project saved in a recovery file, with its original path (if it had one)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        project = project_from_dict(record["project"])
    except (OSError, ValueError, KeyError, TypeError, LayerLabError) as error:
        raise ProjectError(f"The recovery file '{path.name}' cannot be read ({error}).") from None
    original = record.get("original_path")
    project.path = Path(original) if original else None
    return project


def describe(path: Path) -> str:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        name = record.get("original_path") or record["project"].get("name", "an untitled project")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.get("saved_at", 0)))
        return f"“{Path(name).name if record.get('original_path') else name}” (autosaved {when})"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "a project"
