"""Progress of a run in words, from its records alone: epoch and step, loss, samples per second,
ETA and device while it goes; how it ended (and why), the best evaluation and the final figures
per split after. No Qt here: the run box and the toolbar show these texts."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.training import records as R

BAR_STEPS = 200  # progress bars move in half-percent steps: each step repaints the bar at once

SPLIT_NAMES = {"train": "Train", "val": "Validation", "test": "Test"}
MONITOR_NAMES = {"val_loss": "validation loss", "val_accuracy": "validation accuracy"}


def format_seconds(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


@dataclass
class Progress:
    """Fed every record of a run (`update`); `epoch` counts the epochs done before the one in
    progress (as Started.start_epoch), so `current_epoch` is the 1-based epoch being trained."""

    device: str = ""
    epochs: int = 0
    steps_per_epoch: int = 0
    total_steps: int = 0
    start_step: int = 0
    step: int = 0
    epoch: int = 0
    samples_per_second: float = 0.0
    train_seconds: float = 0.0
    loss: float | None = None
    end: R.Finished | R.Stopped | R.Failed | None = None
    final: dict[str, tuple[float, float | None]] = field(default_factory=dict)

    def update(self, record: object) -> None:
        if isinstance(record, R.Started):
            self.device, self.epochs, self.steps_per_epoch = record.device, record.epochs, record.steps_per_epoch
            self.total_steps = record.total_steps
            self.start_step = self.step = record.start_step
            self.epoch = record.start_epoch
        elif isinstance(record, R.StepRecord):
            self.step, self.epoch, self.loss = record.step, record.epoch - 1, record.loss
            self.samples_per_second, self.train_seconds = record.samples_per_second, record.train_seconds
        elif isinstance(record, R.EvalRecord) and record.final:
            self.final[record.split] = (record.loss, record.accuracy)
        elif isinstance(record, R.END_RECORDS):
            self.end = record
            if self.total_steps or record.step:  # a run that never started keeps its zeros
                self.step = record.step
                self.epoch = max(0, record.epochs_run - 1)
            self.train_seconds = record.summary.get("train_seconds", self.train_seconds)

    @property
    def current_epoch(self) -> int:
        return min(self.epoch + 1, self.epochs) if self.epochs else self.epoch + 1

    @property
    def fraction(self) -> float:
        """Share of the planned steps done: where the run is, or where a stopped run ended (a run
        that ended by its own rule, early stopping included, is whole)."""
        if self.end is not None and self.end.reason in ("completed", "max_steps", "early_stopping"):
            return 1.0
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0

    def eta_seconds(self) -> float | None:
        done = self.step - self.start_step
        if self.end is not None or done <= 0 or self.train_seconds <= 0:
            return None
        return (self.total_steps - self.step) * self.train_seconds / done

    def text(self) -> str:
        """One line: the run as it goes, or how it ended (never an ETA then)."""
        if self.end is not None:
            return self.end_text()
        parts = [f"epoch {self.current_epoch}/{self.epochs}", f"step {self.step:,}/{self.total_steps:,}"]
        if self.loss is not None:
            parts.append(f"loss {self.loss:.4f}")
        if self.samples_per_second:
            parts.append(f"{self.samples_per_second:,.0f} samples/s")
        eta = self.eta_seconds()
        if eta is not None:
            parts.append(f"ETA {format_seconds(eta)}")
        if self.device:
            parts.append(f"on {self.device}")
        return " · ".join(parts)

    # -- the end ----------------------------------------------------------------------------
    def end_text(self) -> str:
        """How the run ended, why, where, and its best evaluation, e.g. 'Stopped early after epoch
        7 of 30 (step 10,080): validation loss did not improve for 3 epochs; best epoch 4 ...'."""
        end = self.end
        if end is None:
            return ""
        if isinstance(end, R.Failed) and not self.total_steps:
            return "The run did not start."
        where = f"epoch {end.epochs_run} of {self.epochs} (step {end.step:,} of {self.total_steps:,})"
        reason = end.reason
        if reason == "completed":
            head = f"Finished: {_plural(end.epochs_run, 'epoch')}, {end.step:,} steps"
        elif reason == "max_steps":
            head = f"Finished at max_steps: step {end.step:,}, in epoch {end.epochs_run} of {self.epochs}"
        elif reason == "early_stopping":
            head = (f"Stopped early after epoch {end.epochs_run} of {self.epochs} (step {end.step:,}): "
                    f"{MONITOR_NAMES.get(end.monitor, end.monitor)} did not improve for {self._stale_words(end)}")
        elif reason == "stopped":
            head = f"Stopped at {where}"
        elif reason == "aborted":
            head = f"Aborted at {where}, without a final evaluation"
        else:
            head = f"Failed at {where}"
        parts = [head + self._best_words(end)]
        seconds = end.summary.get("train_seconds")
        if seconds:
            parts.append(f"{format_seconds(seconds)} of training")
        return "; ".join(parts) + "."

    @staticmethod
    def _stale_words(end) -> str:
        count = end.evaluations_since_best
        if end.eval_every:
            return f"{_plural(count, 'evaluation')} (one every {end.eval_every:,} steps)"
        return _plural(count, "epoch")

    @staticmethod
    def _best_words(end) -> str:
        if not end.monitor or end.best_epoch is None:
            return ""  # nothing was evaluated: no best to speak of
        words = f"; best epoch {end.best_epoch}"
        if end.eval_every and end.best_step is not None:
            words += f" (step {end.best_step:,})"
        if end.best_value is not None:
            value = end.best_value
            shown = f"{100 * value:.2f}%" if end.monitor.endswith("accuracy") else f"{value:.4f}"
            words += f", {MONITOR_NAMES.get(end.monitor, end.monitor)} {shown}"
        if end.best_step != end.step:
            words += " (weights restored)" if end.restored_best else " (the last weights kept)"
        return words

    def short_text(self, paused: bool = False) -> str:
        """A few words for the toolbar: 'epoch 2/5 · 34%' while running; after, how it ended
        ('stopped early · best epoch 4') and the test (else validation) accuracy."""
        end = self.end
        if end is None:
            if not self.total_steps:
                return ""
            return f"epoch {self.current_epoch}/{self.epochs} · {100 * self.fraction:.0f}%" + " · paused" * paused
        words = {"completed": "finished", "max_steps": "finished (max steps)", "early_stopping": "stopped early",
                 "stopped": "stopped", "aborted": "aborted"}.get(end.reason, "failed")
        if end.reason == "early_stopping" and end.best_epoch is not None:
            words += f" · best epoch {end.best_epoch}"
        figures = self.final_figures()
        for split, label in (("test", "test"), ("val", "validation")):
            accuracy = figures.get(split, (None, None))[1]
            if accuracy is not None:
                return f"{words} · {label} accuracy {100 * accuracy:.1f}%"
        return words

    def final_figures(self) -> dict[str, tuple[float, float | None]]:
        """split -> (loss, accuracy or None) after the run, for the splits that exist."""
        final = dict(self.final)
        figures = self.end.summary.get("final", {}) if self.end is not None else {}
        for split in SPLIT_NAMES:
            loss = figures.get(f"{split}_loss")
            if loss is not None:
                final[split] = (loss, figures.get(f"{split}_accuracy"))
        return {split: final[split] for split in SPLIT_NAMES if split in final}

    def results_text(self) -> str:
        """The final figures, a line per split: 'Validation: loss 0.0712 · accuracy 97.85%'."""
        lines = []
        for split, (loss, accuracy) in self.final_figures().items():
            line = f"{SPLIT_NAMES[split]}: loss {loss:.4f}"
            if accuracy is not None:
                line += f" · accuracy {100 * accuracy:.2f}%"
            lines.append(line)
        return "\n".join(lines)
