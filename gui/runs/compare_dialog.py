"""Two runs side by side: the settings that differ and the architecture's differences (layers
added, removed or changed, with the parameters that changed)."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from engine.errors import LayerLabError
from engine.runs.compare import ArchitectureDiff, LayerChange, architecture_diff, run_project, settings_diff


def comparison_html(a: Any, b: Any) -> str:
    """The comparison as HTML: settings table, then the architecture's differences."""
    name_a, name_b = html.escape(a.name or a.id), html.escape(b.name or b.id)
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(va))}</td>"
                   f"<td>{html.escape(str(vb))}</td></tr>" for k, (va, vb) in sorted(settings_diff(a, b).items()))
    parts = [f"<h3>Settings</h3><table border='0' cellspacing='6'><tr><th align='left'>setting</th>"
             f"<th align='left'>{name_a}</th><th align='left'>{name_b}</th></tr>{rows}</table>"
             if rows else "<h3>Settings</h3><p>The same.</p>"]
    try:
        diff = architecture_diff(run_project(a), run_project(b))
    except (LayerLabError, OSError) as error:
        parts.append(f"<h3>Architecture</h3><p>Cannot compare: {html.escape(str(error))}</p>")
        return "".join(parts)
    parts.append(f"<h3>Architecture</h3>{_diff_html(diff)}")
    return "".join(parts)


def _diff_html(diff: ArchitectureDiff) -> str:
    """Layers only in one run, and those whose type, parameters, inputs or block definition differ."""
    parts = []
    for title, items in (("Only in the second run", diff.added), ("Only in the first run", diff.removed)):
        if items:
            parts.append(f"<p><b>{title}:</b> {html.escape(', '.join(items))}</p>")
    if diff.changed:
        lines = "".join(f"<li><b>{html.escape(c.name)}</b>: {html.escape(_change_text(c))}</li>" for c in diff.changed)
        parts.append(f"<p><b>Changed:</b></p><ul>{lines}</ul>")
    return "".join(parts) or "<p>The same network.</p>"


def _change_text(change: LayerChange) -> str:
    said = []
    if change.type:
        said.append(f"type {change.type[0]} → {change.type[1]}")
    said += [f"{name} {a} → {b}" for name, (a, b) in change.params.items()]
    if change.inputs:
        said.append("wired differently")
    if change.definition_changed:
        said.append("its block definition differs")
    return "; ".join(said) or "differs"


def show_comparison(parent: QWidget, a: Any, b: Any) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(f"Compare {a.name or a.id} and {b.name or b.id}")
    view = QTextBrowser()
    view.setHtml(comparison_html(a, b))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(view, 1)
    layout.addWidget(buttons)
    dialog.resize(720, 520)
    dialog.open()
    return dialog
