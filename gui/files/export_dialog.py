"""File > Export: choose a format and a file; the engine writes it, reloads it, compares a probe
batch with the model and reports the largest difference. Nothing is written if a step fails."""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.export import FORMATS, ExportResult, export, source_from_project
from engine.export.source import RUN_WEIGHTS
from engine.project import Project
from gui.common.compute import run_in_background
from gui.common.text_fit import grow_to_fit, reading_width


class ExportDialog(QDialog):
    """Export `project` with the trained weights of `run_dir` (or fresh seeded weights)."""

    def __init__(self, project: Project, run_dir: str | Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export model")
        self.project, self.run_dir = project, Path(run_dir) if run_dir else None
        self.last_result: ExportResult | None = None

        self.format_box = QComboBox()
        for fmt in FORMATS.values():
            self.format_box.addItem(f"{fmt.name} ({fmt.suffix})", fmt.name)
            self.format_box.setItemData(self.format_box.count() - 1, fmt.description, Qt.ItemDataRole.ToolTipRole)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.path_edit = QLineEdit(str(self._default_path("state_dict")))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        weights = (f"trained weights from {self.run_dir}" if self.run_dir
                   else "fresh weights (seed 0): train the model first to export what it learned")
        form = QFormLayout()
        self.source_label = QLabel(f"{project.name} — {weights}")
        self.source_label.setWordWrap(True)
        form.addRow("Model:", self.source_label)
        form.addRow("Format:", self.format_box)
        form.addRow("", self.description)
        form.addRow("File:", path_row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.run_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setMinimumWidth(reading_width(self, 78))  # the longest description on two lines at most
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self._format_changed()
        self.resize(self.minimumWidth(), self.sizeHint().height())
        grow_to_fit(self)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        grow_to_fit(self)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        grow_to_fit(self)

    def select_format(self, name: str) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(name))

    def current_format(self) -> str:
        return str(self.format_box.currentData())

    def _default_path(self, fmt: str) -> Path:
        folder = self.run_dir or (self.project.path.parent if self.project.path else Path.home())
        stem = self.project.path.stem if self.project.path else "model"
        return folder / f"{stem}{FORMATS[fmt].suffix}"

    def _format_changed(self) -> None:
        """Show the format's description and give the file the format's extension."""
        fmt = FORMATS[self.current_format()]
        self.description.setText(fmt.description)
        text = self.path_edit.text().strip()
        current = Path(text) if text else self._default_path(fmt.name)
        self.path_edit.setText(str(current.with_suffix(fmt.suffix)))
        grow_to_fit(self)

    def _browse(self) -> None:
        fmt = FORMATS[self.current_format()]
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(),
                                              f"{fmt.name} (*{fmt.suffix});;All files (*)")
        if path:
            self.path_edit.setText(path)

    def run_export(self) -> None:
        """Export on the compute thread (the window stays responsive); the outcome, or the reason
        nothing was written, appears in the dialog and `last_result` is set on success."""
        path = self.path_edit.text().strip()
        if not path:
            self._show("Choose a file to write.", error=True)
            return
        project, fmt, run_dir = self.project, self.current_format(), self.run_dir
        weights = run_dir / RUN_WEIGHTS if run_dir else None

        def job() -> ExportResult:
            return export(source_from_project(project, weights, run_dir=run_dir), fmt, path)

        self.export_button.setEnabled(False)
        self._show(f"Exporting to {fmt} and checking the result…")
        run_in_background(job, self._exported, self._failed, owner=self)

    def _failed(self, message: str) -> None:
        self.export_button.setEnabled(True)
        self._show(f"Not exported: {message}", error=True)

    def _exported(self, result: ExportResult) -> None:
        self.export_button.setEnabled(True)
        self.last_result = result
        diff = result.max_abs_diff
        check = ("checked by onnx.checker (install onnxruntime to compare outputs)"
                 if math.isnan(diff) else f"reloaded and checked: max abs diff {diff:.3g}")
        extra = "".join(f"\nalso wrote {p.name}" for p in result.extra_files)
        self._show(f"Wrote {result.path} ({check}).{extra}")

    def _show(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status.setText(text)
        grow_to_fit(self)
