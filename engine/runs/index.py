"""RunIndex: a SQLite index of a runs folder (stdlib sqlite3, RUNS/.runs-index.sqlite3) that lists
runs fast. The run directories stay the source of truth: each row caches one directory's RunEntry
with the signature (file times and sizes) it was read at, `refresh()` rereads only what changed,
and `rebuild()` recreates every row from the directories.

    index = RunIndex("runs")
    index.entries("lenet", tags={"baseline"})      # newest first
    index.set_tags(run_id, {"best"}); index.set_note(run_id, "...")
    where = index.delete(run_id); index.restore(where)   # RUNS/.trash, and back
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from engine.errors import LayerLabError
from engine.runs.annotations import write_annotations
from engine.runs.entry import RunEntry, read_entry, signature
from engine.runs.folder import INDEX_FILE, run_dirs
from engine.runs.trash import move_to_trash, restore_from_trash

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, signature TEXT NOT NULL, started REAL,
                                 search TEXT NOT NULL, entry TEXT NOT NULL);
"""


class UnknownRunError(LayerLabError):
    """No run of that id in the runs folder."""


class RunIndex:
    """The runs of one folder. Safe to share between threads (one connection, behind a lock); several
    processes may index the same folder (SQLite locks it; the rows are the same either way)."""

    def __init__(self, runs_folder: str | Path, *, refresh: bool = True) -> None:
        self.folder = Path(runs_folder)
        self._lock = threading.RLock()
        self._db = self._open()
        self._cache: list[RunEntry] | None = None
        if refresh:
            self.refresh()

    # -- the database ---------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        """The index file; a damaged one is replaced, and a missing or unwritable folder gets one in
        memory (listing a folder never creates it)."""
        if not self.folder.is_dir():
            return self._connect(":memory:")
        try:
            db = self._connect(self.folder / INDEX_FILE)
        except (OSError, sqlite3.DatabaseError):
            try:
                (self.folder / INDEX_FILE).unlink(missing_ok=True)
                db = self._connect(self.folder / INDEX_FILE)
            except (OSError, sqlite3.DatabaseError):
                db = self._connect(":memory:")
        return db

    @staticmethod
    def _connect(where: str | Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(where), timeout=30, check_same_thread=False, isolation_level=None)
        db.executescript(_SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or row[0] != str(SCHEMA_VERSION):
            db.executescript("DELETE FROM runs;")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        return db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- keeping up with the folder ---------------------------------------------------------
    def refresh(self) -> list[str]:
        """Read the run directories that are new or changed since the last look, drop the rows of
        directories that are gone; returns the ids that changed."""
        with self._lock:
            known = dict(self._db.execute("SELECT id, signature FROM runs"))
            present: dict[str, Path] = {path.name: path for path in run_dirs(self.folder)}
            changed = []
            updates = []
            for run_id, path in present.items():
                sig = signature(path)
                if known.get(run_id) != sig:
                    updates.append(self._row(read_entry(path), sig))
                    changed.append(run_id)
            gone = [run_id for run_id in known if run_id not in present]
            if updates or gone:
                with self._db:
                    self._db.execute("BEGIN")
                    self._db.executemany("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?)", updates)
                    self._db.executemany("DELETE FROM runs WHERE id = ?", [(g,) for g in gone])
                self._cache = None
            return changed + gone

    def rebuild(self) -> None:
        """Forget every row and read every run directory again."""
        with self._lock:
            self._db.execute("DELETE FROM runs")
            self._cache = None
        self.refresh()

    @staticmethod
    def _row(entry: RunEntry, sig: str) -> tuple:
        search = " ".join([entry.id, entry.name, entry.note, entry.device or "", entry.stop_reason or "",
                           entry.status, *sorted(entry.tags)]).lower()
        return entry.id, sig, entry.started, search, json.dumps(entry.to_dict())

    def _update(self, run_id: str) -> RunEntry:
        path = self.folder / run_id
        entry = read_entry(path)
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?)", self._row(entry, signature(path)))
            self._cache = None
        return entry

    # -- reading ------------------------------------------------------------------------
    def entries(self, text: str = "", tags: set[str] | None = None) -> list[RunEntry]:
        """The runs, newest first: those whose id, name, note, device, stop reason, status or tags
        contain every word of `text` (any case), and that carry every tag in `tags`."""
        with self._lock:
            if self._cache is None:
                rows = self._db.execute("SELECT search, entry FROM runs ORDER BY started DESC, id").fetchall()
                self._cache = [RunEntry.from_dict(json.loads(entry)) for _, entry in rows]
                self._search = [search for search, _ in rows]
            cache, search = self._cache, self._search
        words = text.lower().split()
        wanted = set(tags or ())
        return [entry for entry, haystack in zip(cache, search)
                if all(word in haystack for word in words) and wanted <= entry.tags]

    def get(self, run_id: str) -> RunEntry:
        """One run by id (its directory name); UnknownRunError if there is none."""
        with self._lock:
            row = self._db.execute("SELECT entry FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            if (self.folder / run_id).is_dir() and not run_id.startswith("."):
                return self._update(run_id)
            known = [e.id for e in self.entries()]
            from engine.validation import closest

            close = closest(run_id, known)
            hint = f" Did you mean '{close}'?" if close else ""
            raise UnknownRunError(f"There is no run '{run_id}' in {self.folder}.{hint}")
        return RunEntry.from_dict(json.loads(row[0]))

    def tags(self) -> set[str]:
        """Every tag in use."""
        return set().union(*(entry.tags for entry in self.entries()))

    # -- changing ----------------------------------------------------------------------
    def set_tags(self, run_id: str, tags: Iterable[str]) -> RunEntry:
        """Replace a run's tags (kept in its annotations.json)."""
        self.get(run_id)
        write_annotations(self.folder / run_id, tags=tags)
        return self._update(run_id)

    def set_note(self, run_id: str, text: str) -> RunEntry:
        """Replace a run's note (kept in its annotations.json)."""
        self.get(run_id)
        write_annotations(self.folder / run_id, note=text)
        return self._update(run_id)

    def delete(self, run_id: str) -> Path:
        """Move a run's directory to RUNS/.trash; returns where it went (for `restore`)."""
        self.get(run_id)
        where = move_to_trash(self.folder / run_id)
        with self._lock, self._db:
            self._db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            self._cache = None
        return where

    def restore(self, trash_path: str | Path) -> RunEntry:
        """Put a deleted run back; returns its entry."""
        path = restore_from_trash(trash_path)
        return self._update(path.name)
