"""Help > Getting Started and Help > Keyboard Shortcuts. The shortcut list is read from the
window's menus, so it always names the keys the window really has."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMainWindow, QMenu, QTextBrowser, QVBoxLayout, QWidget

GETTING_STARTED = """
<h3>Getting started</h3>
<ol>
<li><b>Open a sample</b> (File &gt; New shows them all) or start from a blank network.</li>
<li><b>Add layers</b>: drag them from the <i>Layers</i> palette, or press <b>Ctrl+F</b>, type a name and press
<b>Enter</b>: the layer goes after the selected one, wired in. Start with an <i>Input</i>, end with an
<i>Output</i>.</li>
<li><b>Wire</b> a layer's output port (bottom) to another's input port (top) by dragging, or select two
layers and press <b>C</b>. Every wire shows the shape it carries; a layer with a problem turns red and
says how to fix it.</li>
<li><b>Choose data and settings</b> in the <i>Training</i> panel (MNIST ships with LayerLab).</li>
<li><b>Train</b> with <b>F5</b> and watch the <i>Views</i>: loss, activations, filters, gradient flow.
Pause (F6), step one batch (F7), stop (Shift+F5); then File &gt; Export.</li>
</ol>
<p>Every edit can be undone (Ctrl+Z). Help &gt; Keyboard Shortcuts lists every key.</p>
"""

GESTURES = [
    ("Drag a layer from the palette", "add it where you drop it"),
    ("Double-click a palette entry", "add it after the selected layer, wired in"),
    ("Drag from an output port (bottom) to an input port (top)", "connect two layers"),
    ("Click, Shift/Ctrl+click, or drag a rubber band", "select"),
    ("Double-click a layer's name", "rename it"),
    ("Mouse wheel / Shift+wheel", "scroll up and down / sideways"),
    ("Ctrl+wheel", "zoom around the cursor"),
    ("Middle button drag, or Space+drag", "pan"),
    ("Arrow keys on the canvas", "move the selection along the wires (Up/Down) or beside (Left/Right)"),
    ("Escape in the layer search", "back to the canvas"),
    ("Click in the overview (bottom right)", "jump there in a large network"),
]


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every menu action that has a shortcut."""
    rows = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if isinstance(menu, QMenu):
            rows += _menu_rows(menu, menu_action.text().replace("&", ""))
    return rows


def _menu_rows(menu: QMenu, title: str) -> list[tuple[str, str, str]]:
    rows = []
    for action in menu.actions():
        if action.menu() is not None:
            rows += _menu_rows(action.menu(), title)
        elif isinstance(action, QAction) and action.shortcuts():
            keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())
            rows.append((title, action.text().replace("&", "").split("\t")[0], keys))
    return rows


def shortcuts_html(window: QMainWindow) -> str:
    cells = "".join(f"<tr><td>{escape(menu)}</td><td>{escape(name)}</td><td><b>{escape(keys)}</b></td></tr>"
                    for menu, name, keys in shortcut_rows(window))
    gestures = "".join(f"<tr><td>{escape(what)}</td><td>{escape(does)}</td></tr>" for what, does in GESTURES)
    return (f"<h3>Keyboard shortcuts</h3><table cellspacing='0' cellpadding='3'>"
            f"<tr><th align='left'>Menu</th><th align='left'>Command</th><th align='left'>Keys</th></tr>{cells}"
            f"</table><h3>Mouse and canvas</h3><table cellspacing='0' cellpadding='3'>{gestures}</table>")


def _show(parent: QWidget, title: str, html: str, size: tuple[int, int]) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    browser = QTextBrowser()
    browser.setOpenExternalLinks(False)
    browser.setHtml(html)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(browser)
    layout.addWidget(buttons)
    dialog.resize(*size)
    dialog.open()
    return dialog


def show_getting_started(window: QMainWindow) -> QDialog:
    return _show(window, "Getting started", GETTING_STARTED, (620, 440))


def show_shortcuts(window: QMainWindow) -> QDialog:
    return _show(window, "Keyboard shortcuts", shortcuts_html(window), (640, 640))
