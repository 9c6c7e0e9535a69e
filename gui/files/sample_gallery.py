"""Open Sample: a gallery of the sample projects, each with its one-line description."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from gui.common.settings import sample_paths
from gui.common.text_fit import reading_width

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def sample_info(path: Path) -> tuple[str, str]:
    """(name, description) read from the file's JSON without building the network."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return str(document.get("name", path.stem)), str(document.get("description", ""))
    except (OSError, ValueError, AttributeError):
        return path.stem, "(this sample cannot be read)"


class SampleGallery(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open sample project")
        self.resize(reading_width(self, 96), reading_width(self, 72))
        self.list = QListWidget()
        self.list.setSpacing(2)
        self.list.setWordWrap(True)  # whole descriptions, on as many lines as they need
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for path in sample_paths():
            name, description = sample_info(path)
            item = QListWidgetItem(f"{name}\n{description}")
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(str(path))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        layout = QVBoxLayout(self)
        note = QLabel("Each sample opens as a new, untitled copy; the original stays as it is.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self._fit_items()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_items()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit_items()

    def _fit_items(self) -> None:
        """Each item as tall as its wrapped text at the list's width (a fixed height cut them off)."""
        margin = 4 * self.list.style().pixelMetric(self.list.style().PixelMetric.PM_FocusFrameHMargin) + 8
        width = max(self.list.viewport().width() - 2 * self.list.spacing() - margin, 80)
        metrics = self.list.fontMetrics()
        for row in range(self.list.count()):
            item = self.list.item(row)
            bound = metrics.boundingRect(QRect(0, 0, width, 100_000), int(Qt.TextFlag.TextWordWrap), item.text())
            item.setSizeHint(QSize(width, bound.height() + metrics.height() // 2))

    def chosen_path(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(PATH_ROLE)) if item else None

    def select(self, file_name: str) -> None:
        for row in range(self.list.count()):
            if Path(self.list.item(row).data(PATH_ROLE)).name == file_name:
                self.list.setCurrentRow(row)
