"""Undoable change of the project's dataset or training settings."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

SECTION_ID = 2001


class SetSectionCommand(QUndoCommand):
    """Replace one settings section; consecutive changes of the same section merge into one step."""

    def __init__(self, document, name: str, values: dict) -> None:
        super().__init__(f"Change {name} settings")
        self.document, self.name = document, name
        self.old, self.new = dict(getattr(document.project, name)), dict(values)
        self.skip_next_redo = False

    def id(self) -> int:  # noqa: A003 - Qt's name
        return SECTION_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, SetSectionCommand) or other.name != self.name:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        if self.skip_next_redo:
            self.skip_next_redo = False
            return
        self.document.set_section(self.name, self.new)

    def undo(self) -> None:
        self.document.set_section(self.name, self.old)
