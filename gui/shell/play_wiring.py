"""The Play dock (gui.play): made with the training feature (both import PyTorch), tabbed with
Summary, Views and Runs; it takes the weights of each run as it is saved, or of a run opened from
the Runs panel, and lets go of them when another project opens."""

from __future__ import annotations

from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea

from gui.common.compute import post_to_gui, run_in_background, run_on_compute_thread
from gui.play.panel import PlayPanel

if TYPE_CHECKING:
    from gui.shell.main_window import MainWindow


def attach_play(window: MainWindow) -> PlayPanel:
    panel = PlayPanel()
    holder = QScrollArea()  # the panel's room when the dock is small: it never makes the window larger
    holder.setWidget(panel)
    holder.setWidgetResizable(True)
    holder.setFrameShape(QScrollArea.Shape.NoFrame)
    window.add_dock(holder, "Play", Qt.DockWidgetArea.BottomDockWidgetArea)
    window.tabifyDockWidget(window.docks["Summary"], window.docks["Play"])
    window.docks["Summary"].raise_()
    dock = window.docks["Play"]
    dock.visibilityChanged.connect(lambda visible: panel.load_deferred() if visible else None)
    window.training.run_saved.connect(lambda run_dir: _to_play(window, panel, run_dir, False))
    controller = window.training.controller
    controller.records.connect(lambda batch: _epoch_to_play(window, panel, batch))
    panel.submit = lambda fn, done, failed: _submit(controller, panel, fn, done, failed)
    controller.state_changed.connect(lambda _: _run_leftovers(controller))
    confusion = window.training.views.confusion
    confusion.cell_selected.connect(lambda row, column: _cell_to_play(window, panel, row, column))
    window.document.about_to_replace.connect(lambda: panel.set_run(None))
    panel.strip.cards_changed.connect(lambda _: _to_cards(window, panel))
    window.document.reset.connect(lambda: _to_cards(window, panel))  # the canvas was rebuilt
    return panel


def _to_cards(window: MainWindow, panel: PlayPanel) -> None:
    """Each card on the canvas shows its layer's activations for the Play input (when asked), or
    its parameters again."""
    from gui.play.images import card_picture, pixmap

    strip = panel.strip
    shown = strip.latest if strip.on_cards.isChecked() and panel.source is not None else None
    keys = panel.source.card_keys([(s.block, s.repetition) for s in window.document.scope]) if shown else {}
    for node_id, item in window.scene.nodes.items():
        values = shown.get(keys.get(node_id, "")) if shown else None
        if values is None:
            item.set_picture(None)
            continue
        picture, what = card_picture(values)
        item.set_picture(pixmap(picture, picture.shape[1]), f"Activations for the Play input: {what}")


def _cell_to_play(window: MainWindow, panel: PlayPanel, row: int, column: int) -> None:
    """A confusion-matrix cell clicked: its test samples become the Play panel's to browse."""
    confusion = window.training.views.confusion
    names = confusion.class_names or [str(i) for i in range(confusion.matrix.shape[0])]
    count = panel.show_samples_of(list(confusion.sample_indices(row, column)),
                                  f"true {names[row]}, predicted {names[column]}")
    if count:
        window.show_status(f"Play: the {count} test samples of that cell are in its Test sample tab.", 6000)


def _epoch_to_play(window: MainWindow, panel: PlayPanel, batch: list) -> None:
    """While a run trains, each finished epoch's snapshot becomes the Play panel's weights."""
    from engine.training import records as R

    controller = window.training.controller
    if controller.run_dir is not None and any(isinstance(record, R.EpochRecord) for record in batch):
        _to_play(window, panel, controller.run_dir, True)


def _to_play(window: MainWindow, panel: PlayPanel, run_dir, live: bool) -> None:
    """Load the run in the Play panel now if the panel is in front, else when it comes forward:
    loading takes time from the training thread, which a panel nobody sees should not cost."""
    (panel.set_run if window.dock_in_front("Play") else panel.defer)(run_dir, live)


def _submit(controller, panel: PlayPanel, fn, done, failed) -> None:
    """Play's computations go to the compute thread; while a run holds it, the trainer runs them
    between two steps (or while paused). Results come back to the GUI thread either way."""
    if not controller.active:
        run_in_background(fn, done, failed, owner=panel)
        return

    def call() -> None:
        try:
            value = fn()
        except Exception as error:  # reported in the panel, never into the training loop
            post_to_gui(_while_alive(panel, failed), str(error) or type(error).__name__)
        else:
            post_to_gui(_while_alive(panel, done), value)

    controller.control.call_soon(call)


def _run_leftovers(controller) -> None:
    """Calls the run ended before taking (it finished or failed meanwhile) run on the compute thread."""
    if not controller.active:
        for call in controller.control.take_calls():
            run_on_compute_thread(call)


def _while_alive(panel: PlayPanel, callback):
    """`callback`, unless the panel was destroyed meanwhile (its window closed during a run)."""
    return lambda value: callback(value) if shiboken6.isValid(panel) else None
