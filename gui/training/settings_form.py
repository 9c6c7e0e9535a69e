"""A form generated from a settings dataclass (engine.data.schema.SettingsBase): one typed
editor per field, with the field's help as tooltip. Nested sections become group boxes."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox,
                               QLineEdit, QSpinBox, QWidget)

from engine.data.schema import SettingsBase, SettingsError
from gui.param_editors import ScientificSpinBox

BIG = 2_000_000_000


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if args and len(args) < len(typing.get_args(hint)):
        return args[0], True
    return hint, False


class SettingsForm(QWidget):
    """Edits one SettingsBase dataclass. `changed` fires after any edit; `settings()` returns
    the checked dataclass or raises SettingsError naming the field."""

    changed = Signal()

    def __init__(self, cls: type[SettingsBase], parent: QWidget | None = None, skip: tuple[str, ...] = ()) -> None:
        super().__init__(parent)
        self.cls = cls
        self.editors: dict[str, tuple[QWidget, Any, bool]] = {}
        self.subforms: dict[str, SettingsForm] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            if field.name in skip:
                continue
            hint, optional = _unwrap_optional(hints[field.name])
            tip = field.metadata.get("help", "")
            if isinstance(hint, type) and issubclass(hint, SettingsBase):
                box = QGroupBox(field.name.replace("_", " "))
                box.setCheckable(False)
                box.setToolTip(tip)
                sub = SettingsForm(hint, box)
                sub.changed.connect(self.changed)
                QFormLayout(box).addRow(sub)
                self.subforms[field.name] = sub
                layout.addRow(box)
                continue
            editor = self._editor(hint, optional, field.metadata)
            editor.setToolTip(tip)
            editor.setObjectName(field.name)
            self.editors[field.name] = (editor, hint, optional)
            layout.addRow(field.name.replace("_", " "), editor)
        self.set_settings(cls())

    # -- editors ----------------------------------------------------------------------
    def _editor(self, hint: Any, optional: bool, meta: Any) -> QWidget:
        low, high = meta.get("minimum"), meta.get("maximum")
        if hint is bool:
            editor = QCheckBox()
            editor.toggled.connect(self.changed)
        elif hint is str and meta.get("choices"):
            editor = QComboBox()
            editor.addItems(list(meta["choices"]))
            editor.currentTextChanged.connect(self.changed)
        elif hint is int:
            editor = QSpinBox()
            minimum = int(low) if low is not None else -BIG
            editor.setRange(minimum - 1 if optional else minimum, int(min(high, BIG)) if high is not None else BIG)
            if optional:
                editor.setSpecialValueText("off")
            editor.valueChanged.connect(self.changed)
        elif hint is float:
            editor = ScientificSpinBox()
            editor.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
            editor.setRange(float(low) if low is not None else -1e9, float(high) if high is not None else 1e9)
            editor.valueChanged.connect(self.changed)
        else:
            editor = QLineEdit()
            editor.setPlaceholderText("off" if optional else "")
            editor.editingFinished.connect(self.changed)
        return editor

    def set_row_visible(self, name: str, visible: bool) -> None:
        if name in self.editors:
            self.layout().setRowVisible(self.editors[name][0], visible)

    # -- values -----------------------------------------------------------------------
    def set_settings(self, settings: SettingsBase) -> None:
        for name, (editor, hint, optional) in self.editors.items():
            value = getattr(settings, name)
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
                editor.setValue(editor.minimum() if value is None else value)
            else:
                editor.setText("" if value is None else
                               ", ".join(map(str, value)) if isinstance(value, list) else str(value))
            editor.blockSignals(False)
        for name, sub in self.subforms.items():
            sub.set_settings(getattr(settings, name))

    def raw_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, (editor, hint, optional) in self.editors.items():
            if isinstance(editor, QCheckBox):
                values[name] = editor.isChecked()
            elif isinstance(editor, QComboBox):
                values[name] = editor.currentText()
            elif isinstance(editor, QSpinBox):
                values[name] = None if optional and editor.value() == editor.minimum() else editor.value()
            elif isinstance(editor, QDoubleSpinBox):
                values[name] = editor.value()
            else:
                values[name] = self._parse_text(name, editor.text().strip(), hint, optional)
        for name, sub in self.subforms.items():
            values[name] = sub.raw_values()
        return values

    def settings(self) -> SettingsBase:
        return self.cls.from_dict(self.raw_values())

    @staticmethod
    def _parse_text(name: str, text: str, hint: Any, optional: bool) -> Any:
        if not text:
            return None if optional else ""
        if typing.get_origin(hint) is list:
            try:
                return [int(part) for part in text.replace("x", ",").split(",") if part.strip()]
            except ValueError:
                raise SettingsError(f"'{name}' must be numbers separated by commas, like 32, 32.") from None
        return text
