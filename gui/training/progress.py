"""Progress text for a run: epoch/step, samples per second, ETA, device."""

from __future__ import annotations

from dataclasses import dataclass

from engine.training import records as R


def format_seconds(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class Progress:
    device: str = ""
    epochs: int = 0
    steps_per_epoch: int = 0
    start_step: int = 0
    step: int = 0
    epoch: int = 0
    samples_per_second: float = 0.0
    train_seconds: float = 0.0
    loss: float | None = None

    def update(self, record: object) -> None:
        if isinstance(record, R.Started):
            self.device, self.epochs, self.steps_per_epoch = record.device, record.epochs, record.steps_per_epoch
            self.start_step = self.step = record.start_step
        elif isinstance(record, R.StepRecord):
            self.step, self.epoch, self.loss = record.step, record.epoch, record.loss
            self.samples_per_second, self.train_seconds = record.samples_per_second, record.train_seconds

    @property
    def total_steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0

    def eta_seconds(self) -> float | None:
        done = self.step - self.start_step
        if done <= 0 or self.train_seconds <= 0:
            return None
        return (self.total_steps - self.step) * self.train_seconds / done

    def text(self) -> str:
        parts = [f"epoch {min(self.epoch + 1, self.epochs)}/{self.epochs}", f"step {self.step:,}/{self.total_steps:,}"]
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
