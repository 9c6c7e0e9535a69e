"""Small widgets the file dialogs share."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget


def with_browse(edit: QLineEdit, slot) -> QWidget:
    """A path field with a Browse… button beside it."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    button = QPushButton("Browse…")
    button.clicked.connect(slot)
    layout.addWidget(edit, 1)
    layout.addWidget(button)
    return row
