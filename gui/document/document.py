"""The open document: owns the engine Project and a QUndoStack, relays the engine's change
events as Qt signals and keeps the shape analysis up to date (at most once per event-loop turn)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from engine.data.fit import with_fit_issues
from engine.errors import GraphError
from engine.graph import Change, Network
from engine.project import Project
from engine.shapes import Analysis, NodeInfo, infer_shapes


class Document(QObject):
    """One project being edited. Widgets read the model and follow its signals; edits go
    through `execute(command)` so each is undoable."""

    changed = Signal(object)  # engine.graph.Change, relayed as it happens
    reset = Signal()  # the whole network was replaced or rebuilt
    analysis_changed = Signal(object, object)  # Analysis, set of node ids whose info changed
    refused = Signal(str)  # an edit the engine refused, with its reason
    path_changed = Signal()
    section_changed = Signal(str)  # 'dataset' or 'training' settings were replaced
    lock_changed = Signal(bool)  # edits are locked (e.g. while a training run uses the network)
    about_to_replace = Signal()  # set_project is about to swap the project (New/Open)

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._project: Project = Project()
        self._analysis: Analysis | None = None
        self._pending = False
        self.locked_reason: str | None = None
        self._data_facts = None  # what the chosen data needs (engine.data.fit.DataFacts), once known
        self._project.network.subscribe(self._on_change)
        self.set_project(project or Project())

    # -- model access --------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self._project

    @property
    def network(self) -> Network:
        return self._project.network

    @property
    def path(self) -> Path | None:
        return self._project.path

    @property
    def display_name(self) -> str:
        return self._project.path.name if self._project.path else f"{self._project.name}"

    @property
    def analysis(self) -> Analysis:
        """The current analysis (computed now if an edit is still waiting for it)."""
        if self._pending or self._analysis is None:
            self.refresh_analysis()
        assert self._analysis is not None
        return self._analysis

    @property
    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def set_project(self, project: Project) -> None:
        """Replace the whole project (New/Open): clears undo history and rebuilds every view."""
        self.about_to_replace.emit()
        self._project.network.unsubscribe(self._on_change)
        self._project = project
        project.network.subscribe(self._on_change)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._data_facts = None
        self._analysis = None
        self._pending = True
        self.reset.emit()
        self.refresh_analysis()
        self.path_changed.emit()

    def set_path(self, path: Path | None) -> None:
        self._project.path = path
        self.path_changed.emit()

    def set_section(self, name: str, values: dict) -> None:
        """Replace the project's 'dataset' or 'training' section (called by undoable commands)."""
        setattr(self._project, name, dict(values))
        self.section_changed.emit(name)

    def set_data_facts(self, facts) -> None:
        """What the project's data needs of the network (engine.data.fit.DataFacts; None when not
        known): what does not fit joins the analysis as errors on the cards (the Output's size, its
        loss), before anyone presses Train."""
        if facts != self._data_facts:
            self._data_facts = facts
            self._pending = True
            self.refresh_analysis()

    # -- edits ---------------------------------------------------------------------------
    def set_locked(self, reason: str | None) -> None:
        """Refuse every edit with `reason` until unlocked (None)."""
        was = self.locked_reason is not None
        self.locked_reason = reason
        if was != (reason is not None):
            self.lock_changed.emit(reason is not None)

    def execute(self, command: QUndoCommand) -> str | None:
        """Run a command and put it on the undo stack; returns the reason if the engine refused it."""
        if self.locked_reason is not None and not getattr(command, "allowed_while_locked", False):
            self.refused.emit(self.locked_reason)
            return self.locked_reason
        try:
            command.redo()
        except GraphError as error:
            self.refused.emit(str(error))
            return str(error)
        command.skip_next_redo = True  # QUndoStack.push calls redo(); it has already run
        self.undo_stack.push(command)
        return None

    # -- change relay and analysis -------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if change.kind == "reset":
            self.reset.emit()
        else:
            self.changed.emit(change)
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.refresh_analysis)

    def refresh_analysis(self) -> None:
        """Re-infer shapes if an edit is pending; announce the nodes whose info changed."""
        if not self._pending and self._analysis is not None:
            return
        self._pending = False
        old = self._analysis
        new = with_fit_issues(self.network, infer_shapes(self.network), self._data_facts)
        self._analysis = new
        if old is None:
            changed = set(new.nodes)
        else:
            changed = {n for n, info in new.nodes.items() if _differs(old.nodes.get(n), info)}
            changed |= {node for node, _ in _issue_nodes(old) ^ _issue_nodes(new)}
        self.analysis_changed.emit(new, changed)


def _differs(old: NodeInfo | None, new: NodeInfo) -> bool:
    return old is None or old != new


def _issue_nodes(analysis: Analysis) -> set[tuple[str, str]]:
    """(node, message) of each error or warning on a node (a node whose message changes counts)."""
    return {(issue.node, issue.message) for issue in analysis.errors + analysis.warnings if issue.node is not None}
