"""Regenerate docs/images/play_panel.png: LeNet-5 trained briefly (2,048 MNIST samples, 2 epochs),
a hand-drawn 7 in the Play panel with its integrated-gradients map and each layer's activations on
the network's cards, in a 1280x800 window; and docs/images/lesson.png: File > Open Lesson… with the
vanishing-gradients lesson (deep ReLU) chosen, then that lesson open with its text in the Lesson panel.

    QT_QPA_PLATFORM=offscreen python docs/images/make_play_screenshot.py
"""

from __future__ import annotations

from shot_kit import ROOT, close, new_window, own_settings, sample_with_dock, save, settle, wait


def main() -> None:
    folder = own_settings()
    from engine.project import load_project
    from engine.run_dir import train_to_directory
    from engine.training import Trainer

    project = load_project(ROOT / "sample_projects" / "lenet5.layerlab")
    project.dataset.update({"subset": 2048, "test_subset": 500})
    project.training.update({"epochs": 2})
    train_to_directory(Trainer(project), folder / "run")
    window = sample_with_dock("lenet5", "Play", 470)
    panel = window.play
    panel.set_run(folder / "run")
    wait(lambda: panel.source is not None)
    panel.method.setCurrentIndex(panel.method.findData("integrated_gradients"))
    panel.strip.on_cards.setChecked(True)
    panel.canvas.draw_stroke([(50, 50), (175, 50), (150, 100), (120, 150), (100, 200)])  # a 7
    wait(lambda: panel.last is not None and panel.last.heat is not None and not panel._busy)
    save(window, "play_panel.png")
    print("top:", panel.last.prediction.top[:3], panel.last.heat_note)
    close(window)
    lesson_screenshots()


def lesson_screenshots() -> None:
    from gui.shell.lesson_wiring import open_lesson, show_lessons

    window = new_window()
    gallery = show_lessons(window)
    gallery.select("06b_deep_relu")
    save(gallery, "lessons_gallery.png")
    lesson = gallery.chosen()
    gallery.reject()
    open_lesson(window, lesson)
    settle(10)
    save(window, "lesson.png")
    close(window)


if __name__ == "__main__":
    main()
