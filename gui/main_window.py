"""The main window: canvas in the centre, dockable palette, inspector and summary, menus with the
usual shortcuts, and a status bar with totals and the error count. Later panels plug in through
`add_dock(widget, title, area)` and the menus (`file_menu`, `edit_menu`, `view_menu`, ...)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QToolButton, QWidget

from engine.shapes import Analysis
from gui import format as fmt
from gui import settings
from gui.canvas.scene import CanvasScene
from gui.canvas.view import CanvasView
from gui.document import Document
from gui.edit_actions import EditController
from gui.files import FileController
from gui.inspector import Inspector
from gui.palette import Palette
from gui.summary_table import SummaryTable

Area = Qt.DockWidgetArea


class MainWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LayerLabMainWindow")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self.document = Document(parent=self)
        self.scene = CanvasScene(self.document)
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)
        self.palette = Palette()
        self.inspector = Inspector(self.document)
        self.summary = SummaryTable(self.document)
        self.docks: dict[str, QDockWidget] = {}
        self.files = FileController(self)
        self.edits = EditController(self)
        self._create_menus()
        self.add_dock(self.palette, "Layers", Area.LeftDockWidgetArea)
        self.add_dock(self.inspector, "Inspector", Area.RightDockWidgetArea)
        self.add_dock(self.summary, "Summary", Area.BottomDockWidgetArea)
        self._create_status_bar()
        self._connect()
        self.resize(1440, 900)
        self.resizeDocks([self.docks["Summary"]], [190], Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["Layers"], self.docks["Inspector"]], [210, 300], Qt.Orientation.Horizontal)
        self._update_title()
        self._on_analysis(self.document.analysis, set())
        from gui.training.integration import TrainingFeature

        self.training = TrainingFeature(self)
        self._add_export_import_actions()

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

    def _action(self, text: str, slot, shortcut: QKeySequence | str | list | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)
        return action

    def _create_menus(self) -> None:
        files, edits, view, key = self.files, self.edits, self.view, QKeySequence.StandardKey
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.act_new = self._action("&New", files.new_project, key.New)
        self.act_open = self._action("&Open…", files.open_dialog, key.Open)
        self.act_open_sample = self._action("Open &Sample…", files.open_sample_gallery, tip="Start from a sample")
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.aboutToShow.connect(lambda: files.fill_recent_menu(self.recent_menu))
        self.act_save = self._action("&Save", files.save, key.Save)
        self.act_save_as = self._action("Save &As…", files.save_as, "Ctrl+Shift+S")
        self.act_close = self._action("&Quit", self.close, key.Quit)
        for item in (self.act_new, self.act_open, self.act_open_sample, self.recent_menu, None, self.act_save,
                     self.act_save_as, None, self.act_close):
            self._add_to(self.file_menu, item)

        self.edit_menu = bar.addMenu("&Edit")
        stack = self.document.undo_stack
        self.act_undo = stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts([QKeySequence(key.Undo)])
        self.act_redo = stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_cut = self._action("Cu&t", edits.cut, key.Cut)
        self.act_copy = self._action("&Copy", edits.copy, key.Copy)
        self.act_paste = self._action("&Paste", edits.paste, key.Paste)
        self.act_duplicate = self._action("&Duplicate", edits.duplicate, "Ctrl+D")
        self.act_delete = self._action("De&lete", edits.delete, [QKeySequence.StandardKey.Delete, "Backspace"])
        self.act_rename = self._action("Re&name…", edits.rename_selected, "F2")
        self.act_select_all = self._action("Select &All", edits.select_all, key.SelectAll)
        self.act_layout = self._action("Automatic &Layout", edits.layout, "L",
                                       tip="Arrange layers left to right by depth (L)")
        self.act_find = self._action("&Find Layer Type…", self.show_palette_search, key.Find)
        for item in (self.act_undo, self.act_redo, None, self.act_cut, self.act_copy, self.act_paste,
                     self.act_duplicate, self.act_delete, self.act_rename, None, self.act_select_all,
                     self.act_layout, self.act_find):
            self._add_to(self.edit_menu, item)
        self.addActions([self.act_undo, self.act_redo])

        self.view_menu = bar.addMenu("&View")
        self.act_fit = self._action("&Fit to View", lambda: view.fit(), "F")
        self.act_zoom_in = self._action("Zoom &In", lambda: view.zoom_by(1.25), [key.ZoomIn, "Ctrl+="])
        self.act_zoom_out = self._action("Zoom &Out", lambda: view.zoom_by(0.8), key.ZoomOut)
        self.act_zoom_reset = self._action("&Actual Size", self._actual_size, "Ctrl+0")
        for item in (self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_zoom_reset, None):
            self._add_to(self.view_menu, item)
        self.panels_menu = self.view_menu.addMenu("&Panels")
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction("Canvas &Gestures", self._show_gestures)
        view.context_actions = self._context_actions

    @staticmethod
    def _add_to(menu: QMenu, item: QAction | QMenu | None) -> None:
        if item is None:
            menu.addSeparator()
        elif isinstance(item, QMenu):
            menu.addMenu(item)
        else:
            menu.addAction(item)

    def _context_actions(self) -> list[QAction | None]:
        if self.scene.selected_node_ids():
            return [self.act_rename, self.act_duplicate, self.act_copy, self.act_cut, self.act_delete, None,
                    self.act_paste, self.act_layout]
        if self.scene.selected_edges():
            return [self.act_delete, None, self.act_paste, self.act_layout, self.act_fit]
        return [self.act_paste, self.act_select_all, None, self.act_layout, self.act_fit]

    # -- status bar ----------------------------------------------------------------------
    def _create_status_bar(self) -> None:
        self.totals_label = QLabel()
        self._last_error_count = 0
        self.error_button = QToolButton()
        self.error_button.setObjectName("errorCount")
        self.error_button.setAutoRaise(True)
        self.error_button.clicked.connect(self.select_next_error)
        self.statusBar().addPermanentWidget(self.totals_label)
        self.statusBar().addPermanentWidget(self.error_button)

    def _on_analysis(self, analysis: Analysis, changed: set[str]) -> None:
        self.totals_label.setText(f"{len(self.document.network)} layers · {fmt.count(analysis.total_params)} "
                                  f"parameters · {fmt.compact(analysis.total_macs)} MACs · "
                                  f"{fmt.memory(analysis.total_activations)} activations / sample")
        count = len(analysis.errors)
        self.error_button.setText(f"⚠ {count} error{'s' if count != 1 else ''}" if count else "✓ no errors")
        self.error_button.setStyleSheet("color: #d93a3a; font-weight: 700;" if count else "color: #2e7d6b;")
        self.error_button.setToolTip("\n".join(e.message for e in analysis.errors) or "The network is valid.")
        if not count and self._last_error_count:
            self.statusBar().clearMessage()  # the error just fixed is no longer news
        self._last_error_count = count
        self._show_selection_error()

    def select_next_error(self) -> None:
        """Select (and show) the next layer with an error; whole-network errors go to the status bar."""
        errors = self.document.analysis.errors
        nodes = [e.node for e in errors if e.node]
        if not nodes:
            if errors:
                self.statusBar().showMessage(errors[0].message, 10000)
            return
        current = self.scene.selected_node_ids()
        index = (nodes.index(current[0]) + 1) % len(nodes) if current and current[0] in nodes else 0
        self.select_node(nodes[index])

    def select_node(self, node_id: str) -> None:
        self.scene.select_nodes([node_id])
        item = self.scene.nodes.get(node_id)
        if item is not None:
            self.view.centerOn(item)

    def _show_selection_error(self) -> None:
        ids = self.scene.selected_node_ids()
        if len(ids) == 1:
            message = self.document.analysis.error_for(ids[0])
            if message:
                self.statusBar().showMessage(message, 15000)

    # -- wiring --------------------------------------------------------------------------
    def _connect(self) -> None:
        doc = self.document
        doc.analysis_changed.connect(self._on_analysis)
        doc.refused.connect(lambda reason: self.statusBar().showMessage(reason, 10000))
        doc.path_changed.connect(self._update_title)
        doc.undo_stack.cleanChanged.connect(lambda _: self._update_title())
        self.scene.selectionChanged.connect(self._on_selection)
        self.palette.add_requested.connect(lambda type_id: self.edits.add_layer(type_id))
        self.view.layer_dropped.connect(self.edits.add_layer)
        self.view.rename_submitted.connect(self.edits.rename)
        self.summary.node_clicked.connect(self.select_node)

    def _on_selection(self) -> None:
        ids = self.scene.selected_node_ids()
        self.inspector.show_node(ids[0] if len(ids) == 1 else None, len(ids))
        self._show_selection_error()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*] — LayerLab")
        self.setWindowModified(self.document.is_modified)

    def show_palette_search(self) -> None:
        self.docks["Layers"].show()
        self.docks["Layers"].raise_()
        self.palette.focus_search()

    def _actual_size(self) -> None:
        self.view.resetTransform()

    def _show_gestures(self) -> None:
        from gui import dialogs

        dialogs.show_info(self, "Canvas gestures", GESTURES)

    # -- window state and closing --------------------------------------------------------
    def restore_window_state(self) -> None:
        store = settings.settings()
        geometry, state = store.value("window/geometry"), store.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def save_window_state(self) -> None:
        store = settings.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())

    def open_startup_project(self, path: str | Path | None = None) -> bool:
        """`layerlab PROJECT` opens it; otherwise the last project, or the first-run sample."""
        if path is not None:
            return self.files.open_path(path, ask=False)
        start = settings.startup_project()
        return self.files.open_path(start, ask=False, as_copy=start == settings.FIRST_RUN_SAMPLE)

    def _add_export_import_actions(self) -> None:
        before = self.file_menu.actions()[-1] if self.file_menu.actions() else None
        self.act_export = self._action("&Export…", self.show_export_dialog, "Ctrl+E",
                                       "Export the model (trained weights when the last run used this network)")
        self.act_import = self._action("&Import…", self.show_import_dialog, "Ctrl+I",
                                       "Start from a torchvision architecture, or load weights")
        for action in (self.act_import, self.act_export):
            self.file_menu.insertAction(before, action)
        self.file_menu.insertSeparator(before)

    def show_export_dialog(self) -> None:
        from gui.export_dialog import ExportDialog

        ExportDialog(self.document.project, self.training.trained_run_dir(), parent=self).exec()

    def show_import_dialog(self) -> None:
        from gui.import_dialog import ImportDialog

        dialog = ImportDialog(self.document.project, parent=self)
        if dialog.exec() and dialog.imported is not None and self.files.maybe_save():
            self.document.set_project(dialog.imported.project)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.files.maybe_save():
            event.ignore()
            return
        self.training.shutdown()
        self.save_window_state()
        self.files.autosaver.discard()
        self.files.autosaver.timer.stop()
        event.accept()


GESTURES = """Drag a layer from the palette onto the canvas (or double-click it: with one layer selected,
the new layer is placed after it and wired to it).
Drag from an output port (right) to an input port (left) to connect.
Click, Shift/Ctrl+click or drag a rubber band to select; Ctrl+A selects all.
Delete removes, Ctrl+D duplicates, Ctrl+C / Ctrl+V copy and paste (also between windows), F2 or double-click renames.
Wheel zooms around the cursor; middle button or Space+drag pans; F fits the view; L lays the network out.
Ctrl+Z / Ctrl+Shift+Z undo and redo every edit."""
