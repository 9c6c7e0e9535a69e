"""The main window's menus and their actions: File, Edit, View, Run and Help, with the usual
shortcuts. Each action is kept on the window (`window.act_save`, ...) and its menu too
(`window.file_menu`, ...), so later panels and tests can reach them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from gui.shell import help as help_texts

if TYPE_CHECKING:
    from gui.shell.main_window import MainWindow


def action(window: MainWindow, text: str, slot: Callable[[], object],
           shortcut: QKeySequence | str | list | None = None, tip: str = "") -> QAction:
    """An action of the window (its shortcut works wherever the focus is in it)."""
    made = QAction(text, window)
    if shortcut is not None:
        shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
        made.setShortcuts([QKeySequence(s) for s in shortcuts])
    if tip:
        made.setStatusTip(tip)
        made.setToolTip(tip)
    made.triggered.connect(lambda _=False: slot())
    window.addAction(made)
    return made


def add_to(menu: QMenu, item: QAction | QMenu | None) -> None:
    """Add an action, a submenu, or (None) a separator."""
    if item is None:
        menu.addSeparator()
    elif isinstance(item, QMenu):
        menu.addMenu(item)
    else:
        menu.addAction(item)


def create_menus(window: MainWindow) -> None:
    """The menu bar; the Run actions call `window.run_slot(name)` (training may not be attached yet)."""
    files, edits, view, key = window.files, window.edits, window.view, QKeySequence.StandardKey
    bar = window.menuBar()
    window.file_menu = bar.addMenu("&File")
    window.act_new = action(window, "&New", files.new_project, key.New, "A blank network, a sample or an import")
    window.act_open = action(window, "&Open…", files.open_dialog, key.Open)
    window.act_open_sample = action(window, "Open &Sample…", files.open_sample_gallery, tip="Start from a sample")
    window.recent_menu = QMenu("Open &Recent", window)
    window.recent_menu.aboutToShow.connect(lambda: files.fill_recent_menu(window.recent_menu))
    window.act_save = action(window, "&Save", files.save, key.Save)
    window.act_save_as = action(window, "Save &As…", files.save_as, "Ctrl+Shift+S")
    window.act_import = action(window, "&Import…", window.show_import_dialog, "Ctrl+I",
                               "Start from a torchvision architecture, or load weights")
    window.act_export = action(window, "&Export…", window.show_export_dialog, "Ctrl+E",
                               "Export the model (trained weights when the last run used this network)")
    window.act_close = action(window, "&Quit", window.close, key.Quit)
    for item in (window.act_new, window.act_open, window.act_open_sample, window.recent_menu, None, window.act_save,
                 window.act_save_as, None, window.act_import, window.act_export, None, window.act_close):
        add_to(window.file_menu, item)

    window.edit_menu = bar.addMenu("&Edit")
    stack = window.document.undo_stack
    window.act_undo = stack.createUndoAction(window, "&Undo")
    window.act_undo.setShortcuts([QKeySequence(key.Undo)])
    window.act_redo = stack.createRedoAction(window, "&Redo")
    window.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    window.act_find = action(window, "&Add Layer…", window.show_palette_search, key.Find,
                             "Search the layers by name; Enter adds the best match after the selection")
    window.act_connect = action(window, "&Connect Selected", edits.connect_selected, "C",
                                "Wire the two selected layers (the upper one's output to the other)")
    window.act_cut = action(window, "Cu&t", edits.cut, key.Cut)
    window.act_copy = action(window, "&Copy", edits.copy, key.Copy)
    window.act_paste = action(window, "&Paste", edits.paste, key.Paste)
    window.act_duplicate = action(window, "&Duplicate", edits.duplicate, "Ctrl+D")
    window.act_delete = action(window, "De&lete", edits.delete, [QKeySequence.StandardKey.Delete, "Backspace"])
    window.act_rename = action(window, "Re&name…", edits.rename_selected, "F2")
    window.act_select_all = action(window, "Select &All", edits.select_all, key.SelectAll)
    window.act_layout = action(window, "Automatic &Layout", edits.layout, "L",
                               "Arrange the layers top to bottom, wrapped to the window's shape (L)")
    for item in (window.act_undo, window.act_redo, None, window.act_find, window.act_connect, None, window.act_cut,
                 window.act_copy, window.act_paste, window.act_duplicate, window.act_delete, window.act_rename, None,
                 window.act_select_all, window.act_layout):
        add_to(window.edit_menu, item)
    window.addActions([window.act_undo, window.act_redo])
    window.locked_actions = [window.act_undo, window.act_redo, window.act_connect, window.act_cut, window.act_paste,
                           window.act_duplicate, window.act_delete, window.act_rename, window.act_find]

    window.view_menu = bar.addMenu("&View")
    window.act_fit = action(window, "&Fit to View", lambda: view.fit(), "F",
                            "Show the whole network, never smaller than readable (F)")
    window.act_zoom_in = action(window, "Zoom &In", lambda: view.zoom_by(1.25), [key.ZoomIn, "Ctrl+="])
    window.act_zoom_out = action(window, "Zoom &Out", lambda: view.zoom_by(0.8), key.ZoomOut)
    window.act_zoom_reset = action(window, "&Actual Size", window.actual_size, "Ctrl+0")
    window.act_start_page = action(window, "&Start Page", window.show_start_page,
                                   tip="Samples, a blank network, recent projects")
    window.act_training_layout = action(window, "&Training Layout", window.toggle_training_layout,
                                        tip="Give the training views at least half the window "
                                            "(on while a run is shown; editing the network ends it)")
    window.act_training_layout.setCheckable(True)
    for item in (window.act_fit, window.act_zoom_in, window.act_zoom_out, window.act_zoom_reset, None,
                 window.act_start_page, window.act_training_layout, None):
        add_to(window.view_menu, item)
    window.panels_menu = window.view_menu.addMenu("&Panels")

    window.run_menu = bar.addMenu("&Run")
    window.act_train = action(window, "&Train", window.run_slot("start"), "F5", "Train the network (F5)")
    window.act_pause = action(window, "&Pause / Resume", window.run_slot("toggle_pause"), "F6",
                              "Pause the run, or resume it (F6)")
    window.act_step = action(window, "&Step One Batch", window.run_slot("step_once"), "F7",
                             "While paused: train on one more batch (F7)")
    window.act_stop = action(window, "St&op", window.run_slot("stop"), "Shift+F5", "Stop the run (Shift+F5)")
    window.act_gradcheck = action(window, "&Gradient Check", window.run_slot("run_gradcheck"),
                                  tip="Compare backprop's gradients with finite differences")
    for item in (window.act_train, window.act_pause, window.act_step, window.act_stop, None, window.act_gradcheck):
        add_to(window.run_menu, item)
    for item in (window.act_pause, window.act_step, window.act_stop):
        item.setEnabled(False)  # nothing runs yet

    window.help_menu = bar.addMenu("&Help")
    window.help_menu.addAction("&Getting Started", lambda: help_texts.show_getting_started(window))
    window.help_menu.addAction("&Keyboard Shortcuts", lambda: help_texts.show_shortcuts(window))
    view.context_actions = window.context_actions
