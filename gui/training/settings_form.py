"""A form generated from a settings dataclass (engine.data.schema.SettingsBase): one typed editor
per field, labelled in words, with the field's help as tooltip, and a grey line under the fields
whose values have a meaning of their own ("0 = the whole training set"). Nested sections become
group boxes.

Editors never clamp: any number can be typed; the panel checks it with the engine and, when it is
refused, shows the reason in a bubble under the field (`show_problem`), drawn over the form so
that nothing moves, and puts the project's value back."""

from __future__ import annotations

import dataclasses
import re
import typing
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.data.schema import SettingsBase, SettingsError
from gui.editor.param_editors import FLOAT_LIMIT, INT_LIMIT, ScientificSpinBox
from gui.training.window_words import shown_value, special_words

BIG = INT_LIMIT
NOTE_STYLE = "QLabel { color: #6b7785; } QLabel:disabled { color: #a3acb6; }"
NOTE_ACTIVE_STYLE = "QLabel { color: #2f5f9e; } QLabel:disabled { color: #a3acb6; }"  # the value shown means this


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if args and len(args) < len(typing.get_args(hint)):
        return args[0], True
    return hint, False


class ProblemBubble(QWidget):
    """The reason a value was refused, drawn under its field over the rows below (nothing moves);
    a click, or moving on to another field, puts it away."""

    ARROW = 6

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("settingsProblem")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setStyleSheet("color: #8e1c1c; background: transparent;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4 + self.ARROW, 8, 5)
        layout.addWidget(self.label)
        self.anchor: QWidget | None = None
        self.field = ""
        self.hide()

    def text(self) -> str:
        return self.label.text()

    TONES = {"refused": ("#d93a3a", "#fff1f0", "#8e1c1c"), "ask": ("#3b6fb6", "#eef5ff", "#1f3f73")}

    def show_at(self, anchor: QWidget, field: str, html: str, tone: str = "refused") -> None:
        self.anchor, self.field = anchor, field
        self.tone = tone
        self.label.setStyleSheet(f"color: {self.TONES[tone][2]}; background: transparent;")
        self.label.setText(html)
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        anchor, host = self.anchor, self.parentWidget()
        if anchor is None or host is None:
            return
        top_left = anchor.mapTo(host, QPoint(0, 0))
        left, width = 2, max(host.width() - 4, 120)  # the form's width: short, and under the field
        height = self.layout().totalHeightForWidth(width) if self.layout().hasHeightForWidth() else \
            self.sizeHint().height()
        y = top_left.y() + anchor.height() + 1
        if y + height > max(host.height(), host.minimumHeight()) and top_left.y() - height - 1 >= 0:
            y = top_left.y() - height - 1  # no room below: above the field
        self.setGeometry(left, y, width, height)
        self._arrow_x = max(12, min(top_left.x() - left + 16, width - 12))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(0.5, self.ARROW + 0.5, self.width() - 1, self.height() - self.ARROW - 1)
        path = QPainterPath()
        path.addRoundedRect(rect, 5, 5)
        x = getattr(self, "_arrow_x", 16)
        arrow = QPainterPath()
        arrow.moveTo(x - self.ARROW, self.ARROW + 1)
        arrow.lineTo(x, 0.5)
        arrow.lineTo(x + self.ARROW, self.ARROW + 1)
        arrow.closeSubpath()
        path = path.united(arrow)
        border, fill, _ = self.TONES[getattr(self, "tone", "refused")]
        painter.setPen(QPen(QColor(border), 1))
        painter.setBrush(QColor(fill))
        painter.drawPath(path)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.hide()


class SettingsForm(QWidget):
    """Edits one SettingsBase dataclass. `edited(name)` fires after the person changes a field
    (`changed` too); `settings()` returns the checked dataclass or raises SettingsError naming
    the field. Fields in `skip` are not shown and keep the values last set."""

    changed = Signal()
    edited = Signal(str)  # the field's name; 'augment.rotate' for a nested one

    def __init__(self, cls: type[SettingsBase], parent: QWidget | None = None, skip: tuple[str, ...] = (),
                 prefix: str = "") -> None:
        super().__init__(parent)
        self.cls = cls
        self.prefix = prefix
        self.editors: dict[str, tuple[QWidget, Any, bool]] = {}
        self.fields: dict[str, QWidget] = {}  # the row's field: editor, extra buttons, note
        self.notes: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self.subforms: dict[str, SettingsForm] = {}
        self.sections: dict[str, tuple[QWidget, QToolButton, QGroupBox]] = {}  # nested: row, header, box
        self._metas: dict[str, dict] = {}
        self._base: SettingsBase = cls()
        self.bubble = ProblemBubble(self) if not prefix else None
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            if field.name in skip:
                continue
            hint, optional = _unwrap_optional(hints[field.name])
            meta = cls.metadata(field.name)
            self._metas[field.name] = meta
            tip = meta.get("help", "")
            if isinstance(hint, type) and issubclass(hint, SettingsBase):
                section = QWidget()  # a header that opens and closes the nested settings
                section_layout = QVBoxLayout(section)
                section_layout.setContentsMargins(0, 2, 0, 0)
                section_layout.setSpacing(2)
                header = QToolButton()
                header.setObjectName(f"{field.name}Header")
                header.setCheckable(True)
                header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                header.setArrowType(Qt.ArrowType.RightArrow)
                header.setAutoRaise(True)
                header.setToolTip(tip)
                box = QGroupBox()
                box.setToolTip(tip)
                box_layout = QVBoxLayout(box)
                note = QLabel(tip)
                note.setWordWrap(True)
                note.setStyleSheet(NOTE_STYLE)
                box_layout.addWidget(note)
                sub = SettingsForm(hint, box, prefix=f"{prefix}{field.name}.")
                sub.changed.connect(self.changed)
                sub.edited.connect(self.edited)
                sub.changed.connect(lambda name=field.name: self._update_header(name))
                box_layout.addWidget(sub)
                box.hide()
                header.toggled.connect(lambda open_, name=field.name: self.open_section(name, open_))
                section_layout.addWidget(header)
                section_layout.addWidget(box)
                self.subforms[field.name] = sub
                self.sections[field.name] = (section, header, box)
                layout.addRow(section)
                continue
            editor = self._editor(field.name, hint, optional, meta)
            editor.setToolTip(tip)
            editor.setObjectName(field.name)
            self.editors[field.name] = (editor, hint, optional)
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(4)
            row.addWidget(editor, 1)
            column.addLayout(row)
            words = special_words(meta, none="0" if hint in (int, float) else "empty")
            if words:
                note = QLabel(words)
                note.setWordWrap(True)
                note.setStyleSheet(NOTE_STYLE)
                note.setObjectName(f"{field.name}Note")
                column.addWidget(note)
                self.notes[field.name] = note
            self.fields[field.name] = holder
            label = QLabel(meta["label"])
            label.setToolTip(tip)
            label.setBuddy(editor)
            self.labels[field.name] = label
            layout.addRow(label, holder)
        self.set_settings(cls())
        if self.bubble is not None:
            QApplication.instance().focusChanged.connect(self._focus_changed)

    # -- editors ----------------------------------------------------------------------
    def _editor(self, name: str, hint: Any, optional: bool, meta: Any) -> QWidget:
        emit = lambda *_: self._emit(name)  # noqa: E731
        if hint is bool:
            editor = QCheckBox()
            editor.toggled.connect(emit)
        elif hint is str and meta.get("choices"):
            editor = QComboBox()
            editor.addItems(list(meta["choices"]))
            editor.currentTextChanged.connect(emit)
        elif hint is int:
            editor = QSpinBox()
            editor.setRange(-BIG, BIG)  # never clamps: a refused value is explained, not changed
            editor.setKeyboardTracking(False)  # checked when typing ends (Enter, focus out), not per key
            editor.setAccelerated(True)
            editor.valueChanged.connect(emit)
        elif hint is float:
            editor = ScientificSpinBox()
            editor.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
            editor.setRange(-FLOAT_LIMIT, FLOAT_LIMIT)
            editor.setKeyboardTracking(False)
            editor.valueChanged.connect(emit)
        else:
            editor = QLineEdit()
            special = meta.get("special") or {}
            editor.setPlaceholderText(special.get(None if optional else "", "").split(":")[0])
            editor.editingFinished.connect(lambda: self._text_finished(name))
        return editor

    def _emit(self, name: str) -> None:
        self._update_note(name)
        self.changed.emit()
        self.edited.emit(self.prefix + name)

    def _text_finished(self, name: str) -> None:
        editor = self.editors[name][0]
        if editor.text() != editor.property("shown"):  # focus leaving an unchanged field is no edit
            editor.setProperty("shown", editor.text())
            self._emit(name)

    def _update_note(self, name: str) -> None:
        note = self.notes.get(name)
        if note is not None:
            try:
                value = self.raw_value(name)
            except SettingsError:
                value = dataclasses.MISSING
            special = self._metas[name].get("special") or {}
            active = any(value is key if key is None else value == key for key in special)
            note.setStyleSheet(NOTE_ACTIVE_STYLE if active else NOTE_STYLE)

    def add_button(self, name: str, button: QWidget) -> None:
        """Put a button (Browse…) beside a field's editor."""
        row = self.fields[name].layout().itemAt(0).layout()
        row.addWidget(button)

    def set_row_visible(self, name: str, visible: bool) -> None:
        if name in self.fields:
            self.layout().setRowVisible(self.fields[name], visible)
        elif name in self.sections:
            self.layout().setRowVisible(self.sections[name][0], visible)

    def open_section(self, name: str, open_: bool = True) -> None:
        """Show (or hide) the settings of a nested section under its header."""
        _, header, box = self.sections[name]
        if header.isChecked() != open_:
            header.setChecked(open_)  # comes back here through `toggled`
            return
        header.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
        box.setVisible(open_)

    def _update_header(self, name: str) -> None:
        """'Augmentation: off' or 'Augmentation: rotate 10, noise 0.05'."""
        _, header, _ = self.sections[name]
        sub = self.subforms[name]
        try:
            values = sub.cls.from_dict(sub.raw_values()).to_dict(only_changed=True)
        except SettingsError:
            values = {}
        words = ", ".join(f"{sub.cls.metadata(key)['label'].lower()} {shown_value(value)}"
                          for key, value in values.items())
        header.setText(f"{self._metas[name]['label']}: {words or 'off'}")

    def field_widget(self, path: str) -> QWidget | None:
        """The row's field for 'lr' or 'augment.rotate'."""
        head, _, rest = path.partition(".")
        if rest and head in self.subforms:
            return self.subforms[head].field_widget(rest)
        return self.fields.get(head)

    def editor(self, path: str) -> QWidget | None:
        head, _, rest = path.partition(".")
        if rest and head in self.subforms:
            return self.subforms[head].editor(rest)
        return self.editors[head][0] if head in self.editors else None

    # -- problems ---------------------------------------------------------------------
    def show_problem(self, path: str, text: str, detail: str = "", tone: str = "refused") -> None:
        """The reason the value of `path` was refused (or, tone 'ask', what it still needs), under
        its field."""
        head, _, rest = path.partition(".")
        if rest and head in self.sections:
            self.open_section(head)
        field = self.field_widget(path)
        if self.bubble is None or field is None:
            return
        html = _html(text) + (f"<br><span style='color:#5a5f66'>{_html(detail)}</span>" if detail else "")
        self.bubble.show_at(field, path, html, tone)

    def problem(self) -> str:
        """The shown problem as plain text ('' when none)."""
        if self.bubble is None or self.bubble.isHidden():
            return ""
        return re.sub(r"<[^>]+>", " ", self.bubble.text()).replace("  ", " ").strip()

    def clear_problem(self) -> None:
        if self.bubble is not None:
            self.bubble.hide()

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        try:
            bubble = self.bubble
            if bubble is None or bubble.isHidden() or new is None or bubble.anchor is None:
                return
            if self.isAncestorOf(new) and not bubble.anchor.isAncestorOf(new) and new is not bubble.anchor:
                bubble.hide()  # on to another field
        except RuntimeError:  # the form is being destroyed
            pass

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.bubble is not None and not self.bubble.isHidden():
            self.bubble.place()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and self.bubble is not None and not self.bubble.isHidden():
            result = super().event(event)
            self.bubble.place()
            return result
        return super().event(event)

    # -- values -----------------------------------------------------------------------
    def set_settings(self, settings: SettingsBase) -> None:
        self._base = settings
        for name, (editor, _hint, _optional) in self.editors.items():
            value = getattr(settings, name)
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
                editor.setValue(0 if value is None else value)
            else:
                text = "" if value is None else ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                editor.setText(text)
                editor.setProperty("shown", text)
            editor.blockSignals(False)
            self._update_note(name)
        for name, sub in self.subforms.items():
            sub.set_settings(getattr(settings, name))
            self._update_header(name)

    def raw_value(self, name: str) -> Any:
        editor, hint, optional = self.editors[name]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            return editor.currentText()
        if isinstance(editor, QSpinBox):
            return None if optional and editor.value() == 0 else editor.value()  # 0 = off
        if isinstance(editor, QDoubleSpinBox):
            return editor.value()
        return self._parse_text(name, editor.text().strip(), hint, optional)

    def raw_values(self) -> dict[str, Any]:
        """Every setting: the editors' values over those last set (skipped fields keep theirs)."""
        values: dict[str, Any] = self._base.to_dict()
        for name in self.editors:
            values[name] = self.raw_value(name)
        for name, sub in self.subforms.items():
            values[name] = sub.raw_values()
        return values

    def settings(self) -> SettingsBase:
        return self.cls.from_dict(self.raw_values())

    def shown_text(self, path: str) -> str:
        """What the field shows now ('-0.1', 'adam', 'on')."""
        editor = self.editor(path)
        if isinstance(editor, QCheckBox):
            return "on" if editor.isChecked() else "off"
        if isinstance(editor, QComboBox):
            return editor.currentText()
        if isinstance(editor, (QAbstractSpinBox, QLineEdit)):
            return editor.text()
        return ""

    def _parse_text(self, name: str, text: str, hint: Any, optional: bool) -> Any:
        if not text:
            return None if optional else ""
        if typing.get_origin(hint) is list:
            try:
                return [int(part) for part in re.split(r"[\s,x×]+", text.strip("[]() ")) if part.strip()]
            except ValueError:
                raise SettingsError(f"'{self.prefix}{name}' must be numbers separated by commas, like 32, 32.",
                                    key=f"{self.cls.SECTION}.{name}",
                                    problem="must be whole numbers separated by commas", fix="for example 32, 32",
                                    value=text, kind="type") from None
        return text


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

