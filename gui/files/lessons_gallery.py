"""Open Lesson: the course's lessons in order (engine.resources.lessons): each a project, an
explanation shown beside the list before opening, which views to look at, and the result to expect
in numbers. The chosen lesson opens as an untitled copy with its explanation in the Lesson panel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine import resources
from gui.common.text_fit import reading_width

LESSON_ROLE = Qt.ItemDataRole.UserRole + 1


def lesson_text(lesson: dict) -> str:
    """The lesson's Markdown, with the views to open and the expected result under it."""
    try:
        text = Path(lesson["text"]).read_text(encoding="utf-8")
    except OSError:
        text = f"# {lesson['title']}\n\n(The explanation {Path(lesson['text']).name} cannot be read.)"
    tail = []
    if lesson.get("views"):
        tail.append(f"**Views to open:** {', '.join(lesson['views'])}")
    if lesson.get("expect"):
        tail.append(f"**Expect:** {lesson['expect']}")
    return text + ("\n\n---\n\n" + "\n\n".join(tail) if tail else "")


class LessonsGallery(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open lesson")
        self.resize(reading_width(self, 130), reading_width(self, 80))
        self.lessons = resources.lessons()
        self.list = QListWidget()
        self.list.setWordWrap(True)
        for number, lesson in enumerate(self.lessons, 1):
            item = QListWidgetItem(f"{number}. {lesson['title']}")
            item.setData(LESSON_ROLE, lesson)
            item.setToolTip(lesson.get("expect", ""))
            self.list.addItem(item)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.list.currentItemChanged.connect(lambda item, _: self._show(item))
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.text)
        splitter.setSizes([reading_width(self, 40), reading_width(self, 90)])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        note = QLabel("Short, runnable lessons that follow the course. Each opens as a new, untitled copy with "
                      "its explanation in the Lesson panel; press Train (F5) and compare with what to expect.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        if not self.lessons:
            self.text.setMarkdown("No lessons were found (sample_projects/lessons/lessons.json).")
        self.list.setCurrentRow(0)

    def _show(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.text.setMarkdown(lesson_text(item.data(LESSON_ROLE)))

    def chosen(self) -> dict | None:
        item = self.list.currentItem()
        return item.data(LESSON_ROLE) if item is not None else None

    def select(self, lesson_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(LESSON_ROLE)["id"] == lesson_id:
                self.list.setCurrentRow(row)
