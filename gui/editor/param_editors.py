"""Typed editors generated from a layer parameter's kind: int, float, bool, choice, pair, shape.
Each emits `edited(value)` when the person changes it and takes model values via `set_value`."""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QWidget

from engine.layers.spec import Param

INT_LIMIT = 2**31 - 1
FLOAT_LIMIT = 1e15


class ParamEditor(QWidget):
    edited = Signal(object)
    finished = Signal()  # editing ended (focus left, Enter): the inspector resyncs a refused value

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.param = param
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)
        self.setToolTip(param.help)

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def _emit(self, *_: Any) -> None:
        self.edited.emit(self.value())

    def value(self) -> Any:
        raise NotImplementedError


def _int_spin(param: Param) -> QSpinBox:
    """A spin box one step wider than the allowed range, so stepping out of range shows why it is refused."""
    spin = QSpinBox()
    low = int(param.minimum) - 1 if param.minimum is not None else -INT_LIMIT
    high = int(param.maximum) + 1 if param.maximum is not None else INT_LIMIT
    spin.setRange(max(low, -INT_LIMIT), min(high, INT_LIMIT))
    spin.setAccelerated(True)
    return spin


class IntEditor(ParamEditor):
    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.spin = _int_spin(param)
        self.layout_.addWidget(self.spin)
        self.spin.valueChanged.connect(self._emit)
        self.spin.editingFinished.connect(self.finished)

    def value(self) -> int:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(int(value))
        self.spin.blockSignals(False)


class ScientificSpinBox(QDoubleSpinBox):
    """A double spin box that shows 1e-05 rather than 0.00."""

    def __init__(self) -> None:
        super().__init__()
        self.setDecimals(15)
        self.setRange(-FLOAT_LIMIT, FLOAT_LIMIT)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt's name
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            float(text)
            return (QValidator.State.Acceptable, text, pos)
        except ValueError:
            partial = re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d*)?([eE][-+]?\d*)?", text.strip()) is not None
            return (QValidator.State.Intermediate if partial else QValidator.State.Invalid, text, pos)


class FloatEditor(ParamEditor):
    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.spin = ScientificSpinBox()
        span = (param.maximum or 1.0) - (param.minimum or 0.0)
        self.spin.setSingleStep(10 ** round(math.log10(span / 20)) if span > 0 else 0.1)
        self.layout_.addWidget(self.spin)
        self.spin.valueChanged.connect(self._emit)
        self.spin.editingFinished.connect(self.finished)

    def value(self) -> float:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(float(value))
        self.spin.blockSignals(False)


class BoolEditor(ParamEditor):
    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.box = QCheckBox()
        self.layout_.addWidget(self.box)
        self.box.toggled.connect(self._emit)

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.blockSignals(True)
        self.box.setChecked(bool(value))
        self.box.blockSignals(False)


class ChoiceEditor(ParamEditor):
    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.combo = QComboBox()
        self.combo.addItems(list(param.choices))
        self.layout_.addWidget(self.combo)
        self.combo.currentTextChanged.connect(self._emit)

    def value(self) -> str:
        return self.combo.currentText()

    def set_value(self, value: Any) -> None:
        self.combo.blockSignals(True)
        self.combo.setCurrentText(str(value))
        self.combo.blockSignals(False)


class PairEditor(ParamEditor):
    """Height and width, side by side."""

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.spins = (_int_spin(param), _int_spin(param))
        for axis, spin in zip(("h", "w"), self.spins):
            spin.setPrefix(f"{axis} ")
            spin.valueChanged.connect(self._emit)
            spin.editingFinished.connect(self.finished)
        self.layout_.addWidget(self.spins[0])
        self.layout_.addWidget(QLabel("×"))
        self.layout_.addWidget(self.spins[1])

    def value(self) -> tuple[int, int]:
        return (self.spins[0].value(), self.spins[1].value())

    def set_value(self, value: Any) -> None:
        for spin, v in zip(self.spins, value):
            spin.blockSignals(True)
            spin.setValue(int(v))
            spin.blockSignals(False)


class ShapeError(ValueError):
    pass


def parse_shape(text: str) -> list[int]:
    """'1, 28, 28', '[1, 28, 28]' or '1x28x28' -> [1, 28, 28]."""
    parts = [p for p in re.split(r"[\s,x×]+", text.strip().strip("[]()").strip()) if p]
    if not parts:
        raise ShapeError("type the sizes separated by commas, e.g. 1, 28, 28")
    try:
        return [int(p) for p in parts]
    except ValueError:
        raise ShapeError(f"'{text}' is not a list of whole numbers; type e.g. 1, 28, 28") from None


class ShapeEditor(ParamEditor):
    """A line edit holding a list of sizes; applied when Enter is pressed or focus leaves."""

    parse_failed = Signal(str)

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText("e.g. 1, 28, 28")
        self.layout_.addWidget(self.line)
        self.line.editingFinished.connect(self._submit)

    def _submit(self) -> None:
        try:
            self.edited.emit(parse_shape(self.line.text()))
        except ShapeError as error:
            self.parse_failed.emit(f"'{self.param.name}': {error}")

    def value(self) -> list[int]:
        return parse_shape(self.line.text())

    def set_value(self, value: Any) -> None:
        self.line.setText(", ".join(str(v) for v in value))


EDITORS: dict[str, type[ParamEditor]] = {"int": IntEditor, "float": FloatEditor, "bool": BoolEditor,
                                         "choice": ChoiceEditor, "pair": PairEditor, "shape": ShapeEditor}


def make_editor(param: Param, parent: QWidget | None = None) -> ParamEditor:
    return EDITORS[param.kind](param, parent)
