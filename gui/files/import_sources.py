"""Where File > Import's architecture comes from: a torchvision model, a person's own nn.Module in a
Python file (which is run: the dialog says so), or an ONNX file. `SourcePicker.job(shape)` gives
the import to run on the compute thread, or says what is missing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QLabel, QLineEdit, QStackedWidget, QWidget

from engine.importers import import_torchvision, torchvision_names
from gui.files.widgets import with_browse

SUGGESTED = ("resnet18", "vgg16", "alexnet", "resnet34", "resnet50", "mobilenet_v2", "vgg11", "densenet121")
KINDS = ("torchvision model", "Python file (your nn.Module)", "ONNX file")
RUNS_CODE = ("Importing a Python file runs it (its code can do anything your account can): import only files "
             "you trust.")


class SourcePicker(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        self.kind.addItems(list(KINDS))
        self.model_box = QComboBox()
        self.model_box.setEditable(True)
        names = torchvision_names()
        self.model_box.addItems([n for n in SUGGESTED if n in names] + [n for n in names if n not in SUGGESTED])
        self.py_path, self.class_edit, self.args_edit = QLineEdit(), QLineEdit(), QLineEdit()
        self.class_edit.setPlaceholderText("the nn.Module class, e.g. Net")
        self.args_edit.setPlaceholderText('its keyword arguments as JSON, e.g. {"classes": 10} (optional)')
        self.onnx_path = QLineEdit()
        self.pages = QStackedWidget()
        for rows in ([("Model:", self.model_box)],
                     [("File:", with_browse(self.py_path, lambda: self._browse(self.py_path, "Python files (*.py)"))),
                      ("Class:", self.class_edit), ("Arguments:", self.args_edit), ("", _warning(RUNS_CODE))],
                     [("File:", with_browse(self.onnx_path, lambda: self._browse(self.onnx_path, "ONNX (*.onnx)")))]):
            page = QWidget()
            form = QFormLayout(page)
            form.setContentsMargins(0, 0, 0, 0)
            for label, widget in rows:
                form.addRow(label, widget)
            self.pages.addWidget(page)
        self.kind.currentIndexChanged.connect(self.pages.setCurrentIndex)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Import from:", self.kind)
        form.addRow(self.pages)

    def _browse(self, edit: QLineEdit, pattern: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import from", edit.text(), f"{pattern};;All files (*)")
        if path:
            edit.setText(path)

    def weights_file(self) -> str | None:
        """The file whose weights come with the import (a Python module's, an ONNX file's), or None
        (torchvision architectures come with fresh weights)."""
        kind = self.kind.currentIndex()
        text = (self.py_path if kind == 1 else self.onnx_path).text().strip() if kind else ""
        return text or None

    def job(self, shape: tuple[int, ...]) -> tuple[Callable[[], Any], str]:
        """(the import to run, what to say meanwhile); a ValueError says what is missing."""
        kind = self.kind.currentIndex()
        if kind == 0:
            name = self.model_box.currentText().strip()
            return (lambda: import_torchvision(name, shape)), f"Importing {name}"
        if kind == 1:
            path, name = self.py_path.text().strip(), self.class_edit.text().strip()
            if not path or not name:
                raise ValueError("Choose the Python file and name the nn.Module class in it.")
            try:
                kwargs = json.loads(self.args_edit.text()) if self.args_edit.text().strip() else {}
            except ValueError as error:
                raise ValueError(f"The arguments are not JSON ({error}); write e.g. {{\"classes\": 10}}.") from None
            if not isinstance(kwargs, dict):
                raise ValueError('The arguments must be a JSON object, e.g. {"classes": 10}.')
            from engine.importers.user_module import import_user_module

            return (lambda: import_user_module(f"{path}:{name}", shape, kwargs)), f"Running {path} to build {name}"
        path = self.onnx_path.text().strip()
        if not path:
            raise ValueError("Choose the ONNX file.")
        from engine.importers.onnx_import import import_onnx

        return (lambda: import_onnx(path, shape)), f"Converting {path}"


def _warning(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #a07000;")
    return label
