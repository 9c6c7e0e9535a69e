"""The breadcrumb over the canvas while a block is open: "network › stage2 › block1", each part a
link back to that level, and what the block is (its definition, shared by how many instances)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget


class Breadcrumb(QLabel):
    """Hidden at the top level. `level_chosen(depth)`: 0 is the top-level network."""

    level_chosen = Signal(int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("breadcrumb")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.setStyleSheet("#breadcrumb { background: rgba(255, 255, 255, 235); border: 1px solid #c9d2de; "
                           "border-radius: 6px; padding: 5px 10px; color: #33415c; }")
        self.linkActivated.connect(lambda link: self.level_chosen.emit(int(link)))
        self.hide()

    def show_path(self, labels: list[str], note: str = "") -> None:
        """`labels`: the top level's, then each opened block's; the last is where the canvas is."""
        if len(labels) < 2:
            self.hide()
            return
        parts = [f"<a href='{depth}' style='color:#2f6fd6; text-decoration:none'>{html.escape(label)}</a>"
                 for depth, label in enumerate(labels[:-1])]
        parts.append(f"<b>{html.escape(labels[-1])}</b>")
        tail = f"<br><span style='color:#6b778c'>{html.escape(note)}</span>" if note else ""
        self.setText(" › ".join(parts) + tail)
        self.adjustSize()
        self.move(10, 10)
        self.show()
        self.raise_()
