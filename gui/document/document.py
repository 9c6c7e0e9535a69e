"""The open document: owns the engine Project and a QUndoStack, relays the engine's change
events as Qt signals and keeps the shape analysis up to date (at most once per event-loop turn).

The canvas shows one network at a time: the project's top-level network (`root`), or the inside of
an opened block (`scope`, a chain of gui.document.scope.Step). `network`, `analysis`, `changed`,
`reset` and `analysis_changed` are about the network shown; `root`, `root_analysis` and
`root_analysis_changed` about the whole project (what training uses). An edit inside a block
changes its definition, so the whole analysis follows it."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from engine.blocks.infer import analysis_inside
from engine.data.fit import with_fit_issues
from engine.errors import LayerLabError
from engine.graph import Change, Network
from engine.project import Project
from engine.shapes import Analysis, NodeInfo, infer_shapes
from gui.document.scope import Step, crumbs, network_at, walk

EMPTY = Analysis(nodes={}, order=[], errors=[], warnings=[])


class Document(QObject):
    """One project being edited. Widgets read the model and follow its signals; edits go
    through `execute(command)` so each is undoable."""

    changed = Signal(object)  # engine.graph.Change of the network shown, relayed as it happens
    reset = Signal()  # the network shown was replaced, rebuilt, or another one is shown
    analysis_changed = Signal(object, object)  # the shown network's Analysis, node ids whose info changed
    root_analysis_changed = Signal(object)  # the whole project's Analysis
    scope_changed = Signal()  # a block was opened or closed (the breadcrumb changes)
    refused = Signal(str)  # an edit the engine refused, with its reason
    path_changed = Signal()
    section_changed = Signal(str)  # 'dataset' or 'training' settings were replaced
    lock_changed = Signal(bool)  # edits are locked (e.g. while a training run uses the network)
    about_to_replace = Signal()  # set_project is about to swap the project (New/Open)

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._project: Project = Project()
        self._analysis: Analysis | None = None  # the whole project's
        self._shown: Analysis | None = None  # the shown network's
        self._pending = False
        self.locked_reason: str | None = None
        self._data_facts = None  # what the chosen data needs (engine.data.fit.DataFacts), once known
        self._scope: list[Step] = []
        self._watched: dict[int, tuple[Network, object]] = {}  # id(network) -> (network, observer)
        self.undo_stack.indexChanged.connect(lambda _: self._watch_networks())
        self.set_project(project or Project())

    # -- model access --------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self._project

    @property
    def root(self) -> Network:
        """The project's top-level network."""
        return self._project.network

    @property
    def network(self) -> Network:
        """The network shown: the top level, or the definition of the opened block."""
        return network_at(self.root, self._scope)

    @property
    def scope(self) -> list[Step]:
        return list(self._scope)

    @property
    def breadcrumb(self) -> list[str]:
        return crumbs(self.root, self._scope)

    @property
    def path(self) -> Path | None:
        return self._project.path

    @property
    def display_name(self) -> str:
        return self._project.path.name if self._project.path else f"{self._project.name}"

    @property
    def analysis(self) -> Analysis:
        """The shown network's analysis (computed now if an edit is still waiting for it): inside a
        block, that instance's (its arguments and input shapes); empty where shapes stop before it."""
        if self._pending or self._analysis is None:
            self.refresh_analysis()
        assert self._shown is not None
        return self._shown

    @property
    def root_analysis(self) -> Analysis:
        """The whole project's analysis."""
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
        self._project = project
        self._scope = []
        self._watch_networks()
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._data_facts = None
        self._analysis = self._shown = None
        self._pending = True
        self.reset.emit()
        self.refresh_analysis()
        self.scope_changed.emit()
        self.path_changed.emit()

    # -- opening blocks ------------------------------------------------------------------
    def open_block(self, block: str, repetition: int = 0) -> bool:
        """Show the inside of the Block node `block` of the shown network; False if it has none."""
        steps = [*self._scope, Step(block, repetition)]
        if len(walk(self.root, steps)) != len(steps):
            return False
        self._set_scope(steps)
        return True

    def close_to(self, depth: int) -> None:
        """Go back up to `depth` opened blocks (0: the top-level network)."""
        if depth < len(self._scope):
            self._set_scope(self._scope[:depth])

    def _set_scope(self, steps: list[Step]) -> None:
        self._scope = steps
        self._shown = None
        self._pending = True
        self.reset.emit()
        self.refresh_analysis()
        self.scope_changed.emit()

    def _watch_networks(self) -> None:
        """Follow the changes of every network of the project (the top level and each block
        definition's, which edits may replace), and keep the scope on blocks that still exist (an
        undo may take away the block shown)."""
        library = self.root.library
        wanted = {id(n): n for n in [self.root, *(d.network for d in library or [])]}
        for key in [k for k in self._watched if k not in wanted]:
            network, observer = self._watched.pop(key)
            network.unsubscribe(observer)
        for key, network in wanted.items():
            if key not in self._watched:
                observer = partial(self._on_change, network)
                network.subscribe(observer)
                self._watched[key] = (network, observer)
        valid = len(walk(self.root, self._scope))
        if valid != len(self._scope):
            self._scope = self._scope[:valid]
            self._shown = None
            self._pending = True
            self.reset.emit()
            self.scope_changed.emit()
            QTimer.singleShot(0, self.refresh_analysis)

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
        except LayerLabError as error:
            self.refused.emit(str(error))
            return str(error)
        command.skip_next_redo = True  # QUndoStack.push calls redo(); it has already run
        self.undo_stack.push(command)
        return None

    # -- change relay and analysis -------------------------------------------------------
    def _on_change(self, network: Network, change: Change) -> None:
        if network is self.network:
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
        self._watch_networks()
        root = with_fit_issues(self.root, infer_shapes(self.root), self._data_facts)
        self._analysis = root
        old = self._shown
        chain = [(step.block, step.repetition) for step in self._scope]
        new = analysis_inside(root, chain) or EMPTY if chain else root
        self._shown = new
        self.root_analysis_changed.emit(root)
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
