"""Inspector editors for blocks: a block instance's definition (shown, with how to change it), its
argument values (one typed field per argument of its definition; a value equal to the default is
left out of the instance), and, inside a definition, a parameter that refers to an argument."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QGridLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget

from engine.layers.spec import Param, arg_ref
from gui.editor.param_editors import INT_LIMIT, ParamEditor


class DefinitionLabel(ParamEditor):
    """The definition an instance is made of: read here, changed by Make Unique or the library."""

    def __init__(self, param: Param, note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.note = note
        self.layout_.addWidget(self.label, 1)

    def value(self) -> str:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = str(value)
        self.label.setText(f"<b>{self._value}</b>" + (f"  <span style='color:#6b7785'>{self.note}</span>"
                                                      if self.note else ""))


def _field(default: Any) -> QWidget:
    """A typed field for an argument whose default is `default`."""
    if isinstance(default, bool):
        return QCheckBox()
    if isinstance(default, int):
        spin = QSpinBox()
        spin.setRange(-INT_LIMIT, INT_LIMIT)
        return spin
    if isinstance(default, float):
        spin = QDoubleSpinBox()
        spin.setDecimals(6)
        spin.setRange(-1e12, 1e12)
        return spin
    return QLineEdit()


def _read(field: QWidget, default: Any) -> Any:
    if isinstance(field, QCheckBox):
        return field.isChecked()
    if isinstance(field, (QSpinBox, QDoubleSpinBox)):
        return field.value()
    text = field.text().strip()  # type: ignore[attr-defined]
    return type(default)(text) if not isinstance(default, (list, dict, tuple)) and default is not None else text


def _write(field: QWidget, value: Any) -> None:
    field.blockSignals(True)
    if isinstance(field, QCheckBox):
        field.setChecked(bool(value))
    elif isinstance(field, (QSpinBox, QDoubleSpinBox)):
        field.setValue(value)
    else:
        field.setText(str(value))  # type: ignore[attr-defined]
    field.blockSignals(False)


class ArgsEditor(ParamEditor):
    """One row per argument of the definition. `optional` (first_args): each row has a box that says
    whether the first repetition sets its own value. Emits the mapping: only the values that differ
    from the defaults (and, optional, only the rows ticked)."""

    def __init__(self, param: Param, defaults: dict[str, Any], optional: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.defaults, self.optional = defaults, optional
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setContentsMargins(0, 0, 0, 0)
        self.fields: dict[str, QWidget] = {}
        self.passed: dict[str, QLabel] = {}  # shown instead of the field for an argument passed on
        self.ticks: dict[str, QCheckBox] = {}
        self.refs: dict[str, Any] = {}  # arguments passed on from an enclosing block, kept as they are
        for row, (name, default) in enumerate(defaults.items()):
            field = _field(default)
            label: QWidget = QCheckBox(name) if optional else QLabel(name)
            label.setToolTip(f"default {default}")
            if optional:
                self.ticks[name] = label  # type: ignore[assignment]
                label.toggled.connect(self._emit)  # type: ignore[attr-defined]
                label.toggled.connect(field.setEnabled)  # type: ignore[attr-defined]
            signal = getattr(field, "toggled", None) or getattr(field, "valueChanged", None)
            (signal or field.editingFinished).connect(self._emit)  # type: ignore[attr-defined]
            passed = QLabel()
            passed.setWordWrap(True)
            passed.hide()
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(passed, row, 1)
            self.fields[name] = field
            self.passed[name] = passed
        if not defaults:
            grid.addWidget(QLabel("Its definition has no arguments."), 0, 0)
        self.layout_.addWidget(grid_host)

    def value(self) -> dict[str, Any]:
        found = dict(self.refs)
        for name, field in self.fields.items():
            if name in found or not field.isEnabled():
                continue
            if self.optional and not self.ticks[name].isChecked():
                continue
            try:
                value = _read(field, self.defaults[name])
            except ValueError:
                continue
            if self.optional or value != self.defaults[name]:
                found[name] = value
        return found

    def set_value(self, value: Any) -> None:
        given = dict(value or {})
        self.refs = {k: v for k, v in given.items() if arg_ref(v) is not None}
        for name, field in self.fields.items():
            shown = given.get(name, self.defaults[name])
            field.setVisible(name not in self.refs)
            self.passed[name].setVisible(name in self.refs)
            if name in self.refs:
                self.passed[name].setText(f"← argument <b>{arg_ref(shown)}</b>")
                self.passed[name].setToolTip("passed on from the enclosing block's argument")
                continue
            field.setEnabled(not self.optional or name in given)
            _write(field, shown)
            if self.optional:
                self.ticks[name].blockSignals(True)
                self.ticks[name].setChecked(name in given)
                self.ticks[name].blockSignals(False)


class ArgRefEditor(ParamEditor):
    """A parameter inside a definition that takes the value of one of its arguments; the button
    gives it a fixed value again (`value_here`, this instance's)."""

    def __init__(self, param: Param, value_here: Any, parent: QWidget | None = None) -> None:
        super().__init__(param, parent)
        self.value_here = value_here
        self.label = QLabel()
        self.label.setWordWrap(True)
        button = QPushButton("Fix")
        button.setToolTip("Stop following the argument: the parameter keeps the value it has in this instance")
        button.clicked.connect(lambda: self.edited.emit(self.value_here))
        self.layout_.addWidget(self.label, 1)
        self.layout_.addWidget(button)
        self._value: Any = None

    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = value
        here = f" ({self.value_here} here)" if self.value_here is not None else ""
        self.label.setText(f"← argument <b>{arg_ref(value)}</b>{here}")
