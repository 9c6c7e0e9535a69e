"""File > Open Lesson… and the Lesson panel: a lesson opens as an untitled copy of its project and
its explanation shows in a panel tabbed with the Inspector."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTextBrowser

from gui.files.lessons_gallery import LessonsGallery, lesson_text
from gui.shell.menus import action

if TYPE_CHECKING:
    from gui.shell.main_window import MainWindow


def attach_lessons(window: MainWindow) -> None:
    """The Open Lesson action (after Open Sample); the Lesson panel comes with the first lesson."""
    window.lesson_text = None  # the Lesson panel is made when the first lesson opens
    window.act_open_lesson = action(window, "Open &Lesson…", lambda: show_lessons(window),
                                    tip="The course's lessons: a project, what it shows and what to expect")
    actions = window.file_menu.actions()
    window.file_menu.insertAction(actions[actions.index(window.act_open_sample) + 1], window.act_open_lesson)


def show_lessons(window: MainWindow) -> LessonsGallery:
    gallery = LessonsGallery(window)
    gallery.accepted.connect(lambda: open_lesson(window, gallery.chosen()))
    gallery.open()
    window.lessons_gallery = gallery
    return gallery


def open_lesson(window: MainWindow, lesson: dict | None) -> bool:
    """Open the lesson's project as an untitled copy and show its explanation."""
    if lesson is None or not window.files.open_path(lesson["project"], as_copy=True):
        return False
    if window.lesson_text is None:
        # made now, into the Inspector's tab group as it is then: a group made earlier and grown
        # later leaves a stray tab bar of its first arrangement over the window
        window.lesson_text = QTextBrowser()
        window.lesson_text.setOpenExternalLinks(True)
        dock = window.add_dock(window.lesson_text, "Lesson", Qt.DockWidgetArea.RightDockWidgetArea)
        window.tabifyDockWidget(window.docks["Inspector"], dock)
    window.lesson_text.setMarkdown(lesson_text(lesson))
    _select_view(window, lesson.get("views", []))
    window.show_dock("Lesson")
    window.show_status("Lesson opened: its explanation is in the Lesson panel.", 8000)
    return True


def _select_view(window: MainWindow, names: list[str]) -> None:
    """The lesson's first view becomes the Views dock's current tab (shown when training starts)."""
    views = window.training.views if window.training is not None else None
    for index in range(views.count() if views is not None else 0):
        if names and views.tabText(index) == names[0]:
            views.setCurrentIndex(index)
            return
