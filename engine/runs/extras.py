"""What `RunRecorder` writes into a run directory besides LayerLab's own files: record.json
(engine.runs.record) and, when installed, TensorBoard event files (engine.runs.tensorboard).
Neither may break a run: a failure is reported once as a warning and that writer stops."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from engine.runs.record import RecordWriter, best_metrics


class RunExtras:
    """Called with each record on rank 0, after the run directory's own files are written."""

    def __init__(self, trainer, path: str | Path, extra: dict[str, Any] | None = None) -> None:
        self.trainer, self.path = trainer, Path(path)
        self.record: RecordWriter | None = RecordWriter(self.path, extra)
        self.board = None

    def __call__(self, record) -> None:
        from engine.training import records as R

        if isinstance(record, R.Started):
            self._safely("record", lambda: self.record.started(self.trainer, record))
            self._start_board()
        elif isinstance(record, R.END_RECORDS):
            if self.record is not None:
                self._safely("record", lambda: self.record.ended(self.trainer, record))
            if self.board is not None:
                self._safely("board", lambda: self._end_board(record))
        elif self.board is not None:
            self._safely("board", lambda: self.board(record))

    def _start_board(self) -> None:
        from engine.runs import tensorboard

        if tensorboard.available():
            self._safely("board", lambda: setattr(self, "board", tensorboard.TensorBoardWriter(self.path)))
            if self.board is not None:
                self._safely("board", lambda: self.board.started(self.trainer))

    def _end_board(self, end) -> None:
        from engine.run_dir import _jsonable
        from engine.runs.tensorboard import flat_hparams

        hparams = flat_hparams({"training": self.trainer.settings.to_dict(),
                                "dataset": self.trainer.data_settings.to_dict()})
        self.board.ended(hparams, best_metrics(end.summary or {}, _jsonable(self.trainer.history)))
        self.board = None

    def _safely(self, which: str, action) -> None:
        try:
            action()
        except Exception as error:
            what = "record.json" if which == "record" else "the TensorBoard event files"
            warnings.warn(f"LayerLab could not write {what} in {self.path}: {error}", RuntimeWarning, stacklevel=2)
            if which == "record":
                self.record = None
            else:
                if self.board is not None:
                    try:
                        self.board.close()
                    except Exception:
                        pass
                self.board = None
