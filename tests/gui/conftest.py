"""GUI tests run offscreen with pytest-qt; settings, recovery files and dialogs are isolated."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is imported anywhere

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from gui.common import dialogs

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_projects"


class DialogLog:
    """Replaces every message box: records calls and answers with preset replies."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []
        self.save_answer = "discard"
        self.restore_answer = True
        self.open_path: str | None = None
        self.save_path: str | None = None

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp) -> DialogLog:
    settings_dir = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    log = DialogLog()

    def record(name, answer=None):
        def fake(*args):
            log.calls.append((name, args))
            return answer() if callable(answer) else answer
        return fake

    monkeypatch.setattr(dialogs, "show_error", record("show_error"))
    monkeypatch.setattr(dialogs, "show_info", record("show_info"))
    monkeypatch.setattr(dialogs, "ask_save_changes", record("ask_save_changes", lambda: log.save_answer))
    monkeypatch.setattr(dialogs, "ask_restore", record("ask_restore", lambda: log.restore_answer))
    monkeypatch.setattr(dialogs, "ask_open_path", record("ask_open_path", lambda: log.open_path))
    monkeypatch.setattr(dialogs, "ask_save_path", record("ask_save_path", lambda: log.save_path))
    return log


@pytest.fixture
def make_window(qtbot):
    from gui.app import setup_application
    from gui.shell.main_window import MainWindow

    setup_application()
    made = []

    def make(project: Path | None = None) -> MainWindow:
        window = MainWindow()
        window.files.autosaver.timer.stop()
        qtbot.addWidget(window)
        window.resize(1200, 800)
        if project is not None:
            assert window.files.open_path(project, ask=False)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.document.undo_stack.setClean()


@pytest.fixture
def window(make_window):
    return make_window()


def snapshot(network) -> tuple:
    """The whole graph as comparable plain data: nodes (sorted by id) and wires with their order."""
    nodes = tuple(sorted((n.id, n.type, n.name, tuple(sorted(n.params.items())), n.position)
                         for n in (network.node(i) for i in network.node_ids)))
    edges = tuple((network.edge_order(e), e) for e in network.edges())
    return nodes, edges
