"""PlotPanel: a titled view with one 'Save PNG' and one 'Save CSV' action (and, for image views,
'Reset view'), shared by every plot. Parts inside a panel are plain widgets, never panels, so a
view has exactly one pair of save buttons."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

pg.setConfigOptions(antialias=False, background="w", foreground="#333")
SIZE_HINT = QSize(600, 520)
"""Every view's preferred size, whatever it shows: new data never moves the views beside it (a
caption or a page of pictures that grew would otherwise lay out, and repaint, all of them)."""


def caption(text: str, lines: int = 3) -> QLabel:
    """A word-wrapped caption with room for `lines` lines from the start: the longer text that comes
    with the data does not shrink the picture under it (a relayout and a second paint mid-run)."""
    label = QLabel("\n".join("X" * lines))
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setMinimumHeight(label.sizeHint().height())
    label.setText(text)
    return label


class PlotPanel(QWidget):
    """Base for every training view: a header row (title, extra controls, save buttons) and a body."""

    title = "Plot"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QHBoxLayout()
        self.title_label = QLabel(f"<b>{self.title}</b>")
        self.header.addWidget(self.title_label)
        self.header.addStretch(1)
        self.reset_view_button = QPushButton("Reset view")
        self.reset_view_button.setToolTip("Fit the pictures to the panel again (Ctrl+wheel zooms, the wheel scrolls)")
        self.reset_view_button.hide()
        self.save_png_button = QPushButton("Save PNG")
        self.save_csv_button = QPushButton("Save CSV")
        for button in (self.reset_view_button, self.save_png_button, self.save_csv_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.header.addWidget(button)
        self.save_png_button.clicked.connect(lambda: self._ask_and_save("png"))
        self.save_csv_button.clicked.connect(lambda: self._ask_and_save("csv"))
        self.content = QWidget()  # what Save PNG pictures: the view without its buttons
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.header)
        layout.addWidget(self.content, 1)

    def add_header_widget(self, widget: QWidget) -> None:
        """Put a control in the header, after the title and before the buttons."""
        self.header.insertWidget(self.header.indexOf(self.reset_view_button), widget)

    def use_reset_view(self, *canvases) -> None:
        """Show 'Reset view', which fits each of `canvases` to the panel again."""
        self.reset_view_button.show()
        self.reset_view_button.clicked.connect(lambda: [canvas.reset_view() for canvas in canvases])

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return SIZE_HINT

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - wrapped captions must not make the view want more
        return False

    # -- subclasses provide the data --------------------------------------------------
    def csv_table(self) -> tuple[Sequence[str], Iterable[Sequence]]:
        """(header, rows) of the data behind the plot."""
        return (), ()

    def refresh(self) -> bool:
        """Redraw from buffered data (called by the GUI's refresh timer); whether anything new was
        drawn (False: nothing had changed)."""
        return False

    # -- saving -----------------------------------------------------------------------
    def save_png(self, path: str | Path) -> Path:
        path = Path(path)
        if not self.content.grab().save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        return path

    def save_csv(self, path: str | Path) -> Path:
        path = Path(path)
        header, rows = self.csv_table()
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    def _ask_and_save(self, kind: str) -> None:
        name = self.title.lower().replace(" ", "_")
        path, _ = QFileDialog.getSaveFileName(self, f"Save {self.title} as {kind.upper()}", f"{name}.{kind}",
                                              f"{kind.upper()} files (*.{kind})")
        if path:
            (self.save_png if kind == "png" else self.save_csv)(path)
