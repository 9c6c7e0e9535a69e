"""The main window: a toolbar with the run controls, the canvas (or the start page) in the centre,
dockable palette, inspector and summary, menus File Edit View Run Help with the usual shortcuts
(gui.shell.menus), and a status bar with totals and the error count. Later panels plug in through
`add_dock(widget, title, area)` and the menus (`file_menu`, `edit_menu`, `view_menu`, `run_menu`).

Live training (PyTorch, pyqtgraph) is attached by `attach_training()`: at once in tests and
screenshots, and after the window is shown (once torch has loaded on the compute thread) in the
app, so the editor appears without waiting for torch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QStackedWidget, QToolButton, QWidget

from engine.shapes import Analysis
from gui.canvas.scene import CanvasScene
from gui.canvas.view import CanvasView
from gui.common import format as fmt
from gui.common import settings
from gui.document.document import Document
from gui.editor.edit_actions import EditController
from gui.editor.inspector import Inspector
from gui.editor.palette import Palette
from gui.editor.summary_table import SummaryTable
from gui.files.controller import FileController
from gui.shell import menus
from gui.shell.block_wiring import attach_blocks, block_context_actions
from gui.shell.lesson_wiring import attach_lessons
from gui.shell.main_toolbar import RunStatus, build_toolbar
from gui.shell.start_page import StartPage
from gui.shell.welcome import WelcomeBanner

Area = Qt.DockWidgetArea
TRAINING_VIEWS_SHARE = 0.56  # of the window's height, for the Views dock while a run is shown


DOCK_STATE_VERSION = 3
"""Saved panel arrangements of another version are not restored (2: the Blocks panel joined; 3: Runs and Lesson)."""


class MainWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None, attach_training: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("LayerLabMainWindow")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        # The right column (Inspector, Training) runs the full height; the bottom panels (Summary,
        # Views) span from the left edge to it, so the views can grow without squeezing the forms.
        self.setCorner(Qt.Corner.BottomRightCorner, Area.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Area.BottomDockWidgetArea)
        self.document = Document(parent=self)
        self.scene = CanvasScene(self.document)
        self.view = CanvasView(self.scene)
        self.start_page = StartPage()
        self.central = QStackedWidget()
        self.central.addWidget(self.view)
        self.central.addWidget(self.start_page)
        self.setCentralWidget(self.central)
        self.welcome = WelcomeBanner(self.view)
        self.palette = Palette()
        self.inspector = Inspector(self.document)
        self.summary = SummaryTable(self.document)
        self.docks: dict[str, QDockWidget] = {}
        self.training = None
        self._pending_run: str | None = None  # a Run action pressed before training was attached
        self._docks_before_start = None
        self._editing_state = None  # the panels as they were before the training layout
        self.files = FileController(self.document, self.view, self.show_status, self.show_start_page, self)
        self.edits = EditController(self.document, self.scene, self.view, self.show_status, self)
        menus.create_menus(self)
        self.run_status = RunStatus()
        self.toolbar = build_toolbar(self, self.run_status)
        self.add_dock(self.palette, "Layers", Area.LeftDockWidgetArea)
        self.add_dock(self.inspector, "Inspector", Area.RightDockWidgetArea)
        self.add_dock(self.summary, "Summary", Area.BottomDockWidgetArea)
        self.blocks = attach_blocks(self)
        attach_lessons(self)
        self._create_status_bar()
        self._connect()
        self.resize(1440, 900)
        self.resizeDocks([self.docks["Summary"]], [170], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["Layers"], self.docks["Inspector"]], [200, 300], Qt.Orientation.Horizontal)
        self._update_title()
        self._on_analysis(self.document.analysis, set())
        self._on_lock(False)
        if attach_training:
            self.attach_training()

    def attach_training(self) -> None:
        """Add live training (Training and Views docks, the Run actions' work). Imports torch."""
        if self.training is not None:
            return
        from gui.training.integration import TrainingFeature

        self.training = TrainingFeature(self, self)
        from gui.shell.play_wiring import attach_play
        from gui.shell.runs_wiring import attach_runs

        self.runs = attach_runs(self)
        self.play = attach_play(self)
        pending, self._pending_run = self._pending_run, None
        if pending is not None:
            getattr(self.training, pending)()

    # -- docks and menus (extension points) ----------------------------------------------
    def add_dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea = Area.RightDockWidgetArea,
                 name: str | None = None) -> QDockWidget:
        """Add a dockable panel; its toggle goes to View > Panels and its place is remembered."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name or f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[title] = dock
        self.panels_menu.addAction(dock.toggleViewAction())
        return dock

    def dock_in_front(self, title: str) -> bool:
        """Whether the dock is shown and not behind another tab (Qt moves those off the window)."""
        dock = self.docks[title]
        return dock.isVisible() and self.rect().intersects(dock.geometry())

    def show_dock(self, title: str) -> None:
        dock = self.docks.get(title)
        if dock is not None:
            dock.show()
            dock.raise_()

    def add_training_docks(self, panel: QWidget, views: QWidget) -> None:
        """The training feature's docks: Training tabbed with the Inspector, Views with the Summary."""
        self.add_dock(panel, "Training", Area.RightDockWidgetArea)
        self.add_dock(views, "Views", Area.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks["Inspector"], self.docks["Training"])
        self.tabifyDockWidget(self.docks["Summary"], self.docks["Views"])
        self.docks["Inspector"].raise_()
        self.docks["Summary"].raise_()

    def dismiss_welcome(self) -> None:
        if self.welcome.isVisible():
            self.welcome.dismiss()

    def run_slot(self, name: str) -> Callable[[], None]:
        """A Run action's slot: the training feature's method. Pressed while PyTorch is still
        loading (just after start-up), Train and Gradient Check run as soon as it is ready."""
        def slot() -> None:
            if self.training is not None:
                getattr(self.training, name)()
            elif name in ("start", "run_gradcheck"):
                self._pending_run = name
                self.show_status("Loading PyTorch… training starts in a moment.", 10000)
        return slot

    def context_actions(self) -> list[QAction | None]:
        selected = self.scene.selected_node_ids()
        if selected:
            return [self.act_rename, self.act_duplicate, self.act_copy, self.act_cut, self.act_delete, None,
                    *([self.act_connect] if len(selected) == 2 else []), self.act_paste, self.act_layout, None,
                    *block_context_actions(self, selected)]
        if self.scene.selected_edges():
            return [self.act_delete, None, self.act_paste, self.act_layout, self.act_fit]
        return [self.act_find, self.act_paste, self.act_select_all, None, self.act_layout, self.act_fit]

    # -- status bar ----------------------------------------------------------------------
    def _create_status_bar(self) -> None:
        self.totals_label = QLabel()
        self._shown_error: str | None = None
        self.error_button = QToolButton()
        self.error_button.setObjectName("errorCount")
        self.error_button.setAutoRaise(True)
        self.error_button.clicked.connect(self.select_next_error)
        self.statusBar().addPermanentWidget(self.totals_label)
        self.statusBar().addPermanentWidget(self.error_button)

    def show_status(self, message: str, msec: int = 5000) -> None:
        self.statusBar().showMessage(message, msec)

    def _show_error_status(self, message: str) -> None:
        """An error in the status bar; it goes away as soon as it is fixed."""
        self._shown_error = message
        self.statusBar().showMessage(message, 15000)

    def _on_analysis(self, analysis: Analysis, changed: set[str]) -> None:
        layers = len(self.document.network)
        totals = (f"{layers} layer{'s' if layers != 1 else ''} · {fmt.count(analysis.total_params)} parameters · "
                  f"{fmt.compact(analysis.total_macs)} MACs · {fmt.memory(analysis.total_activations)} "
                  "activations / sample")
        count = len(analysis.errors)
        if analysis.totals_note:
            totals += " (partial)"
        self.totals_label.setText(totals if layers else (analysis.hint or ""))
        self.totals_label.setToolTip(analysis.totals_note or "")
        self.error_button.setText(f"⚠ {count} error{'s' if count != 1 else ''}" if count else
                                  "✓ no errors" if layers else "")
        self.error_button.setStyleSheet("color: #d93a3a; font-weight: 700;" if count else "color: #2e7d6b;")
        self.error_button.setToolTip("\n".join(e.message for e in analysis.errors) or "The network is valid.")
        current = {e.message for e in analysis.errors}
        if self._shown_error is not None and self._shown_error not in current:
            if self.statusBar().currentMessage() == self._shown_error:
                self.statusBar().clearMessage()  # the error just fixed is no longer news
            self._shown_error = None
        self._show_selection_error()

    def select_next_error(self) -> None:
        """Select (and show) the next layer with an error; whole-network errors go to the status bar."""
        errors = self.document.analysis.errors
        nodes = [e.node for e in errors if e.node]
        if not nodes:
            if errors:
                self._show_error_status(errors[0].message)
            return
        current = self.scene.selected_node_ids()
        index = (nodes.index(current[0]) + 1) % len(nodes) if current and current[0] in nodes else 0
        self.select_node(nodes[index])

    def select_node(self, node_id: str) -> None:
        self.scene.select_nodes([node_id])
        item = self.scene.nodes.get(node_id)
        if item is not None:
            self.view.ensureVisible(item.card_rect(), 60, 60)

    def _show_selection_error(self) -> None:
        ids = self.scene.selected_node_ids()
        if len(ids) == 1:
            message = self.document.analysis.error_for(ids[0])
            if message:
                self._show_error_status(message)

    # -- wiring --------------------------------------------------------------------------
    def _connect(self) -> None:
        doc = self.document
        doc.analysis_changed.connect(self._on_analysis)
        doc.refused.connect(lambda reason: self.show_status(reason, 10000))
        doc.path_changed.connect(self._update_title)
        doc.lock_changed.connect(self._on_lock)
        doc.undo_stack.cleanChanged.connect(lambda _: self._update_title())
        doc.changed.connect(lambda _: self.show_canvas())
        doc.changed.connect(self._edited_network)
        doc.reset.connect(self.show_canvas)  # a project was opened or imported
        self.scene.selectionChanged.connect(self._on_selection)
        self.palette.add_requested.connect(self._add_from_palette)
        self.palette.leave_requested.connect(self.view.setFocus)
        self.view.layer_dropped.connect(self.edits.add_layer)
        self.view.rename_submitted.connect(self.edits.rename)
        self.summary.node_clicked.connect(self.select_node)
        page = self.start_page
        page.blank_requested.connect(self.show_canvas)
        page.open_requested.connect(self.files.open_dialog)
        page.import_requested.connect(self.show_import_dialog)
        page.sample_requested.connect(lambda path: self.files.open_path(path, as_copy=True))
        page.recent_requested.connect(lambda path: self.files.open_path(path))

    def _add_from_palette(self, type_id: str) -> None:
        self.show_canvas()
        self.edits.add_layer(type_id)

    def _on_selection(self) -> None:
        ids = self.scene.selected_node_ids()
        self.inspector.show_node(ids[0] if len(ids) == 1 else None, len(ids))
        if len(ids) == 1:
            self.show_dock("Inspector")
        self._show_selection_error()

    def _on_lock(self, locked: bool) -> None:
        """While a run uses the network, the edits that would change it are disabled."""
        for action in self.locked_actions:
            action.setEnabled(not locked)
        if not locked:  # the undo stack decides again whether there is something to undo
            self.act_undo.setEnabled(self.document.undo_stack.canUndo())
            self.act_redo.setEnabled(self.document.undo_stack.canRedo())
        self.palette.setEnabled(not locked)
        self.palette.setToolTip(self.document.locked_reason or "")

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*] — LayerLab")
        self.setWindowModified(self.document.is_modified)

    def show_palette_search(self) -> None:
        self.show_canvas()
        self.show_dock("Layers")
        self.palette.focus_search()

    def show_start_page(self) -> None:
        """The start page gets the whole window; the panels come back with the canvas."""
        if self.central.currentWidget() is not self.start_page:
            self._docks_before_start = self.saveState()
            for dock in self.docks.values():
                dock.hide()
        self.start_page.refresh()
        self.central.setCurrentWidget(self.start_page)
        self.start_page.setFocus()

    def show_canvas(self) -> None:
        if self.central.currentWidget() is not self.view:
            self.central.setCurrentWidget(self.view)
            if self._docks_before_start is not None:
                self.restoreState(self._docks_before_start)
                self._docks_before_start = None
            self.view.setFocus()

    # -- editing and training layouts ------------------------------------------------------
    def enter_training_layout(self) -> None:
        """The views get at least half the window (a run started, or the user asked)."""
        if self._editing_state is None:
            self._editing_state = self.saveState()
        self.show_dock("Views")
        self.show_dock("Training")
        self.resizeDocks([self.docks["Views"]], [int(self.height() * TRAINING_VIEWS_SHARE)], Qt.Orientation.Vertical)
        self.act_training_layout.setChecked(True)

    def leave_training_layout(self) -> None:
        """Back to the panels as they were before the run (the user edits the network again)."""
        if self._editing_state is not None:
            self.restoreState(self._editing_state)
            self._editing_state = None
        self.act_training_layout.setChecked(False)

    def toggle_training_layout(self) -> None:
        if self.act_training_layout.isChecked() and "Views" in self.docks:
            self.enter_training_layout()
        else:
            self.leave_training_layout()

    def _edited_network(self, change) -> None:
        """Editing the network (not just moving cards) after a run: the editing layout returns."""
        if change.kind != "moved" and self._editing_state is not None and self.document.locked_reason is None:
            self.leave_training_layout()

    def actual_size(self) -> None:
        self.view.resetTransform()

    # -- window state and closing --------------------------------------------------------
    def restore_window_state(self) -> None:
        store = settings.settings()
        geometry, state = store.value("window/geometry"), store.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, DOCK_STATE_VERSION)  # an older arrangement (fewer panels) is not used

    def save_window_state(self) -> None:
        store = settings.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState(DOCK_STATE_VERSION))

    def open_startup_project(self, path: str | Path | None = None) -> bool:
        """`layerlab PROJECT` opens it; otherwise the last project, or (first run) the MNIST
        perceptron sample with a welcome note."""
        if path is not None:
            return self.files.open_path(path, ask=False)
        start = settings.startup_project()
        first_run = start == settings.FIRST_RUN_SAMPLE
        opened = self.files.open_path(start, ask=False, as_copy=first_run)
        if first_run and opened:
            self.welcome.show_once()
        return opened

    def show_export_dialog(self) -> None:
        from gui.files.export_dialog import ExportDialog

        run_dir = self.training.trained_run_dir() if self.training is not None else None
        ExportDialog(self.document.project, run_dir, parent=self).exec()

    def show_import_dialog(self) -> None:
        from gui.files.import_dialog import ImportDialog

        keep_in = None
        if self.training is not None:
            from gui.training.controller import runs_folder

            keep_in = runs_folder()
        dialog = ImportDialog(self.document.project, parent=self, keep_in=keep_in)
        if dialog.exec() and dialog.imported is not None and self.files.maybe_save():
            project = dialog.imported.project
            if dialog.kept is not None:  # train from the file's weights, as Runs > Continue does
                project.training["init_from"] = str(dialog.kept)
            self.document.set_project(project)
            if dialog.kept is not None:
                from gui.shell.runs_wiring import use_run_weights

                use_run_weights(self, dialog.kept, project)
            self.show_canvas()
            self.view.fit()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.files.maybe_save():
            event.ignore()
            return
        if self.training is not None:
            self.training.shutdown()
        self.save_window_state()
        self.files.autosaver.discard()
        self.files.autosaver.timer.stop()
        event.accept()
