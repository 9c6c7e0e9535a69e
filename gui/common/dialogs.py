"""Every question and message box the app shows, as small functions tests can replace
(monkeypatch `gui.common.dialogs.ask_save_changes` etc.) so nothing blocks in a test."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

FILE_FILTER = "LayerLab projects (*.layerlab);;All files (*)"


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def ask_save_changes(parent: QWidget | None, name: str) -> str:
    """'save', 'discard' or 'cancel'."""
    box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                      f"Save the changes to “{name}” before closing it?",
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(answer), "cancel")


def ask_restore(parent: QWidget | None, description: str) -> bool:
    answer = QMessageBox.question(parent, "Restore unsaved work?",
                                  f"LayerLab closed unexpectedly with unsaved changes to {description}.\n\n"
                                  "Restore them? (No deletes the recovered copy.)")
    return answer == QMessageBox.StandardButton.Yes


def ask_open_path(parent: QWidget | None, directory: str = "") -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open project", directory, FILE_FILTER)
    return path or None


def ask_save_path(parent: QWidget | None, suggested: str = "") -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Save project as", suggested, FILE_FILTER)
    return path or None


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


BLOCK_FILTER = "LayerLab blocks (*.layerlab-block);;All files (*)"


def ask_block_path(parent: QWidget | None, save: bool, suggested: str = "") -> str | None:
    """A `.layerlab-block` file to export a definition to (`save`) or import one from."""
    if save:
        path, _ = QFileDialog.getSaveFileName(parent, "Export block", suggested, BLOCK_FILTER)
    else:
        path, _ = QFileDialog.getOpenFileName(parent, "Import block", suggested, BLOCK_FILTER)
    return path or None


def ask_text(parent: QWidget | None, title: str, label: str, text: str) -> str | None:
    """A line of text (e.g. a new name), or None when cancelled."""
    from PySide6.QtWidgets import QInputDialog

    answer, ok = QInputDialog.getText(parent, title, label, text=text)
    return answer if ok else None


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question (No is the default)."""
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes
