"""Undoable change of the project's dataset or training settings."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from engine.errors import LayerLabError

SECTION_ID = 2001


def _changed_keys(name: str, old: dict, new: dict) -> set[str]:
    """The settings whose values differ (a key left out means its default)."""
    from engine.data.settings import DatasetSettings
    from engine.training.settings import TrainingSettings

    cls = DatasetSettings if name == "dataset" else TrainingSettings
    try:
        old, new = cls.from_dict(old).to_dict(), cls.from_dict(new).to_dict()
    except LayerLabError:
        pass
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


class SetSectionCommand(QUndoCommand):
    """Replace one settings section; consecutive changes of the same setting (stepping a spin
    box) merge into one step, changes of different settings stay apart."""

    def __init__(self, document, name: str, values: dict) -> None:
        super().__init__(f"Change {name} settings")
        self.document, self.name = document, name
        self.old, self.new = dict(getattr(document.project, name)), dict(values)
        self.skip_next_redo = False

    def id(self) -> int:
        return SECTION_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, SetSectionCommand) or other.name != self.name:
            return False
        keys = _changed_keys(self.name, self.old, self.new)
        if len(keys) != 1 or _changed_keys(self.name, other.old, other.new) != keys:
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
