"""File handling for one window: New, Open, Open Sample, Save, Save As, Recent, the unsaved-changes
question, autosave and crash recovery. Messages go through gui.common.dialogs (replaceable in tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu, QWidget

from engine.errors import ProjectError
from engine.project import EXTENSION, Project, load_project
from gui.common import dialogs, settings
from gui.common.seams import FitsView, StatusFn
from gui.document.document import Document
from gui.files.recovery import AutoSaver, describe, find_recoveries, load_recovery
from gui.files.sample_gallery import SampleGallery

UNTITLED = Project().name  # the name of a new project until it is saved


class FileController(QObject):
    """Works on `document`; frames the network in `view` after opening, reports in `status`, shows
    the start page with `show_start_page` after New, and parents its dialogs to `parent`."""

    def __init__(self, document: Document, view: FitsView, status: StatusFn, show_start_page: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.document, self.view, self.status, self.show_start_page = document, view, status, show_start_page
        self.autosaver = AutoSaver(self.document, settings.data_dir())
        self.gallery: SampleGallery | None = None

    # -- new / open ----------------------------------------------------------------------
    def new_project(self) -> bool:
        if not self.maybe_save():
            return False
        self.document.set_project(Project())
        self.view.fit()
        self.show_start_page()  # samples, a blank network, recent projects
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save():
            return False
        start = str(self.document.path.parent) if self.document.path else str(Path.cwd())
        path = dialogs.ask_open_path(self.parent_widget, start)
        return self.open_path(path, ask=False) if path else False

    def open_path(self, path: str | Path, ask: bool = True, as_copy: bool = False) -> bool:
        """Open a project; a file that cannot be read shows why and changes nothing."""
        if ask and not self.maybe_save():
            return False
        try:
            project = load_project(path)
        except ProjectError as error:
            dialogs.show_error(self.parent_widget, "Cannot open project", str(error))
            self.status(str(error), 10000)
            return False
        if as_copy:
            project.path = None
        else:
            settings.add_recent(path)
        self.document.set_project(project)
        self.view.fit(readable=True)
        self.status(f"Opened {project.name} ({len(project.network)} layers).", 5000)
        if project.problems:  # what could not be used is named; the rest of the project is here
            listed = "\n".join(f"• {problem}" for problem in project.problems[:8])
            more = f"\n…and {len(project.problems) - 8} more." if len(project.problems) > 8 else ""
            dialogs.show_info(self.parent_widget, "Opened with problems",
                              f"{project.name} opened, but some of it could not be used:\n{listed}{more}\n\n"
                              "Everything else is as saved; the blocks named are marked on the canvas.")
        return True

    def open_sample_gallery(self) -> SampleGallery:
        """Show the gallery without blocking; the chosen sample opens when it is accepted."""
        self.gallery = SampleGallery(self.parent_widget)
        self.gallery.accepted.connect(self._open_chosen_sample)
        self.gallery.open()
        return self.gallery

    def _open_chosen_sample(self) -> None:
        path = self.gallery.chosen_path() if self.gallery else None
        if path is not None:
            self.open_path(path, as_copy=True)

    # -- save ----------------------------------------------------------------------------
    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        suggested = str(self.document.path or Path.cwd() / f"{self.document.project.name}{EXTENSION}")
        path = dialogs.ask_save_path(self.parent_widget, suggested)
        if not path:
            return False
        path = Path(path)
        if path.suffix != EXTENSION:
            path = path.with_name(path.name + EXTENSION)
        return self.save_to(path)

    def save_to(self, path: Path) -> bool:
        """Atomic save (temporary file, then replace); on failure the old file is untouched.
        An untitled project takes the file's name."""
        project = self.document.project
        old_name = project.name
        if project.name == UNTITLED:
            project.name = Path(path).stem
        try:
            project.save(path)
        except ProjectError as error:
            project.name = old_name
            dialogs.show_error(self.parent_widget, "Cannot save project", str(error))
            return False
        self.document.set_path(Path(path))
        self.document.undo_stack.setClean()
        self.autosaver.discard()
        settings.add_recent(path)
        self.status(f"Saved {Path(path).name}.", 5000)
        return True

    def maybe_save(self) -> bool:
        """Before the project is replaced or closed: ask about unsaved changes. False = cancel."""
        if not self.document.is_modified:
            return True
        answer = dialogs.ask_save_changes(self.parent_widget, self.document.display_name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    # -- recent files --------------------------------------------------------------------
    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        files = settings.recent_files()
        for path in files:
            action = menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if not files:
            menu.addAction("No recent projects").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear list", lambda: settings.settings().setValue("recent_files", []))

    # -- recovery ------------------------------------------------------------------------
    def offer_recovery(self) -> bool:
        """At start-up: offer to restore work autosaved before a crash. Returns whether it restored."""
        for path in find_recoveries(settings.data_dir()):
            if dialogs.ask_restore(self.parent_widget, describe(path)):
                try:
                    project = load_recovery(path)
                except ProjectError as error:
                    dialogs.show_error(self.parent_widget, "Cannot restore", str(error))
                    continue
                self.document.set_project(project)
                self.document.undo_stack.resetClean()  # restored work is unsaved until saved
                self.autosaver.save_now()
                path.unlink(missing_ok=True)
                self.view.fit(readable=True)
                return True
            path.unlink(missing_ok=True)
        return False
