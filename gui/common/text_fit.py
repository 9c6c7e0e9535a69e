"""Text that is never cut off: dialogs as tall as their wrapped text needs, and a check that
finds labels whose text does not fit (used by the tests, at any QT_SCALE_FACTOR)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QWidget


def reading_width(widget: QWidget, characters: int) -> int:
    """The width of about `characters` characters of the widget's font (scales with the font)."""
    return widget.fontMetrics().averageCharWidth() * characters


def grow_to_fit(window: QWidget) -> None:
    """Make a top-level window at least as tall as its layout needs at its current width (word-wrapped
    labels need more lines than a size hint guesses), and keep that as its minimum height."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    needed = layout.totalHeightForWidth(window.width()) if layout.hasHeightForWidth() else \
        layout.totalMinimumSize().height()
    needed = max(needed, layout.totalMinimumSize().height())
    window.setMinimumHeight(needed)
    if window.height() < needed:
        window.resize(window.width(), needed)


def clipped_labels(root: QWidget) -> list[str]:
    """The visible labels under `root` whose text does not fit inside them, as 'text (has WxH)'."""
    found = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text() or label.pixmap() is not None and not \
                label.pixmap().isNull():
            continue
        text = label.text()
        rect = label.contentsRect()
        if label.textFormat() == Qt.TextFormat.RichText or (label.textFormat() == Qt.TextFormat.AutoText and
                                                              GuiQt.mightBeRichText(text)):
            needed = label.heightForWidth(rect.width()) if label.wordWrap() else label.sizeHint().height()
            width_ok = label.wordWrap() or label.sizeHint().width() <= label.width()
            fits = width_ok and needed <= label.height()
        else:
            flags = int(label.alignment()) | (int(Qt.TextFlag.TextWordWrap) if label.wordWrap() else 0)
            bound = label.fontMetrics().boundingRect(rect, flags, text)
            fits = bound.width() <= rect.width() and bound.height() <= rect.height()
        if not fits:
            found.append(f"{text[:60]!r} (has {label.width()}x{label.height()})")
    return found
