"""The inspector: the selected layer's name, type, help text and typed parameter editors.
Edits apply live as undoable commands; a refused value shows the engine's reason under the field."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from engine.blocks.library_ops import instances
from engine.graph import Change
from engine.layers.blocks import BLOCK
from engine.layers.spec import Param, arg_ref
from engine.shapes import Analysis
from gui.common import format as fmt
from gui.document.commands import RenameCommand, SetParamCommand
from gui.document.document import Document
from gui.editor.block_editors import ArgRefEditor, ArgsEditor, DefinitionLabel
from gui.editor.param_editors import ParamEditor, ShapeEditor, make_editor


class Inspector(QScrollArea):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.node_id: str | None = None
        self.editors: dict[str, ParamEditor] = {}
        self.errors: dict[str, QLabel] = {}
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.body = QWidget()
        self.setWidget(self.body)
        self.outer = QVBoxLayout(self.body)
        self.outer.setContentsMargins(12, 10, 12, 10)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("inspectorTitle")
        self.name_edit.setToolTip("The layer's name (used in code, exports and the summary); Enter to apply.")
        self.name_edit.editingFinished.connect(self._rename)
        self.type_label = QLabel()
        self.help_label = QLabel()
        self.help_label.setObjectName("inspectorHelp")
        self.help_label.setWordWrap(True)
        self.info_label = QLabel()
        self.info_label.setWordWrap(True)
        self.info_label.setTextFormat(Qt.TextFormat.RichText)
        self.rename_error = QLabel()
        self.rename_error.setObjectName("paramError")
        self.rename_error.setWordWrap(True)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setContentsMargins(0, 6, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty = QLabel("Select a layer on the canvas to see and edit its parameters.")
        self.empty.setWordWrap(True)
        self.empty.setObjectName("inspectorHelp")
        for widget in (self.empty, self.name_edit, self.rename_error, self.type_label, self.help_label,
                       self.info_label, self.form_host):
            self.outer.addWidget(widget)
        self.outer.addStretch(1)
        document.changed.connect(self._on_change)
        document.reset.connect(lambda: self.show_node(None))
        document.analysis_changed.connect(self._on_analysis)
        self.show_node(None)

    # -- what is shown -------------------------------------------------------------------
    def show_node(self, node_id: str | None, count: int = 1) -> None:
        """Show one node (or an empty hint, or how many layers are selected)."""
        self.node_id = node_id if node_id in self.document.network else None
        self._clear_form()
        shown = self.node_id is not None
        for widget in (self.name_edit, self.type_label, self.help_label, self.info_label, self.form_host):
            widget.setVisible(shown)
        self.rename_error.hide()
        self.empty.setVisible(not shown)
        if not shown:
            self.empty.setText(f"{count} layers selected." if count > 1 else
                               "Select a layer on the canvas to see and edit its parameters.")
            return
        net = self.document.network
        node, spec = net.node(self.node_id), net.spec(self.node_id)
        self.name_edit.setText(node.name)
        self.type_label.setText(f"<b>{spec.glyph}  {spec.display_name}</b>  <span style='color:#6b7785'>"
                                f"· {spec.category}</span>")
        self.help_label.setText(spec.description)
        if node.type == BLOCK:
            self._describe_block(node.params)
        for param in spec.params:
            editor = self._editor_for(param, node.type, node.params)
            editor.set_value(node.params[param.name])
            editor.edited.connect(lambda value, name=param.name: self.apply(name, value))
            editor.finished.connect(lambda name=param.name: self._resync(name))
            if isinstance(editor, ShapeEditor):
                editor.parse_failed.connect(lambda msg, name=param.name: self._show_error(name, msg))
            label = QLabel(param.display_label.capitalize())
            label.setToolTip(param.help)
            # Level with the editor (the field beside it also holds the help under the editor).
            label.setFixedHeight(max(editor.sizeHint().height(), label.sizeHint().height()))
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            help_text = QLabel(param.help)
            help_text.setWordWrap(True)
            help_text.setProperty("class", "help")
            help_text.setStyleSheet("color: #6b7785; font-size: 11px;")
            error = QLabel()
            error.setObjectName("paramError")
            error.setWordWrap(True)
            error.hide()
            # Editor, help and error in one field: a form row of its own gives a wrapped label the
            # height of a wider column, and its last lines are cut off.
            field = QWidget()
            column = QVBoxLayout(field)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(3)
            for widget in (editor, help_text, error):
                column.addWidget(widget)
            self.form.addRow(label, field)
            self.editors[param.name] = editor
            self.errors[param.name] = error
        if not spec.params:
            self.form.addRow(QLabel("This layer has no parameters."))
        self._on_analysis(self.document.analysis, {self.node_id})

    def _describe_block(self, params: dict[str, Any]) -> None:
        """A block's heading names its definition; the help says what it is and how to look inside."""
        library = self.document.network.library
        definition = library.get(params["definition"]) if library is not None else None
        self.type_label.setText(f"<b>▣  {params['definition']}</b>  <span style='color:#6b7785'>· block</span>")
        what = definition.description if definition is not None and definition.description else "A block."
        self.help_label.setText(f"{what} Double-click the card (or press Enter) to open it; Ctrl+Shift+G "
                                "ungroups it.")

    def _editor_for(self, param: Param, type_id: str, params: dict[str, Any]) -> ParamEditor:
        """The typed editor; for blocks, their definition and arguments; inside a definition, a
        parameter that refers to an argument shows which."""
        value = params[param.name]
        ref = arg_ref(value)
        if ref is not None:
            return ArgRefEditor(param, self.document.analysis.args.get(ref))
        if type_id == BLOCK and param.kind in ("text", "mapping"):
            library = self.document.network.library
            definition = library.get(params["definition"]) if library is not None else None
            if param.kind == "text":
                shared = len(instances(self.document.root, value)) if definition is not None else 0
                note = (f"shared by {shared} instances · Make Unique to edit only this one" if shared > 1
                        else "missing from the library" if definition is None else "")
                return DefinitionLabel(param, note)
            return ArgsEditor(param, dict(definition.args) if definition else {}, optional=param.name == "first_args")
        return make_editor(param)

    def _clear_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        self.errors.clear()

    # -- edits ---------------------------------------------------------------------------
    def apply(self, name: str, value: Any) -> str | None:
        """Apply one editor's value as an undoable command; show the reason if it is refused."""
        if self.node_id is None:
            return None
        reason = self.document.execute(SetParamCommand(self.document.network, self.node_id, name, value))
        if reason:
            self._show_error(name, reason)
        else:
            self.errors[name].hide()
        return reason

    def _resync(self, name: str) -> None:
        """After editing ends, show the model's value again (a refused value is not kept)."""
        if self.node_id is not None and name in self.editors:
            self.editors[name].set_value(self.document.network.node(self.node_id).params[name])

    def _show_error(self, name: str, message: str) -> None:
        label = self.errors.get(name)
        if label is not None:
            label.setText(f"Refused: {message}")
            label.show()

    def _rename(self) -> None:
        if self.node_id is None or self.name_edit.text() == self.document.network.name_of(self.node_id):
            return
        reason = self.document.execute(RenameCommand(self.document.network, self.node_id, self.name_edit.text()))
        self.rename_error.setText(f"Refused: {reason}" if reason else "")
        self.rename_error.setVisible(bool(reason))

    # -- following the model -------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if self.node_id is None or change.node != self.node_id:
            return
        if change.kind == "node_removed":
            self.show_node(None)
        elif change.kind == "param_changed" and change.name in self.editors:
            editor = self.editors[change.name]
            if (arg_ref(change.new) is None) == isinstance(editor, ArgRefEditor) or change.name == "definition":
                self.show_node(self.node_id)  # another kind of editor
                return
            if not editor.hasFocus() or not isinstance(editor, ShapeEditor):
                editor.set_value(change.new)
            self.errors[change.name].hide()
        elif change.kind == "renamed":
            self.name_edit.setText(change.new)

    def _on_analysis(self, analysis: Analysis, changed: set[str]) -> None:
        if self.node_id is None or self.node_id not in changed:
            return
        info = analysis.nodes.get(self.node_id)
        lines = []
        if info is not None and info.output_shape is not None:
            lines.append(f"Output <b>{fmt.shape_text(info.output_shape)}</b> · {fmt.count(info.params)} parameters"
                         f" · {fmt.compact(info.macs)} MACs · {fmt.memory(info.activations)} activations")
        issue = analysis.error_for(self.node_id) or next(
            (e.message for e in analysis.errors + analysis.warnings if e.node == self.node_id), None)
        if issue:
            lines.append(f"<span style='color:#d93a3a'>{issue}</span>")
        self.info_label.setText("<br>".join(lines))
