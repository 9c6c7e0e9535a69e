"""The Lessons gallery: every lesson of the index in course order, its explanation shown before
opening, and a chosen lesson opening as an untitled copy with its explanation in the Lesson panel."""

from __future__ import annotations

from engine import resources
from gui.shell.lesson_wiring import show_lessons


def test_the_gallery_lists_the_lessons_and_opens_one_with_its_explanation(make_window, qtbot) -> None:
    lessons = resources.lessons()
    assert len(lessons) >= 20 and lessons[0]["id"] == "01_perceptron"
    window = make_window()
    gallery = show_lessons(window)
    assert gallery.list.count() == len(lessons)
    assert gallery.list.item(0).text().startswith("1. ") and "784" in gallery.list.item(0).text()
    shown = gallery.text.toPlainText()
    assert "Views to open" in shown and "Expect" in shown
    gallery.accept()
    doc = window.document
    assert doc.path is None and len(doc.network) == 8  # the perceptron: Input, Flatten, 3 Dense, 2 activations, Output
    assert doc.root_analysis.total_params == 13_002
    assert window.docks["Lesson"].isVisible() and "784" in window.lesson_text.toPlainText()
    assert window.act_open_lesson in window.file_menu.actions()
    gallery = show_lessons(window)
    gallery.select("07a_l1")  # its first view: the weight histograms
    gallery.accept()
    assert window.training.views.tabText(window.training.views.currentIndex()) == "Histograms"
