"""Training that starts from earlier weights (`training.init_from`): a run directory's or a weights
file's tensors copied into the fresh model wherever name and shape fit, the rest left as initialised
(fine-tuning with a new head; continuing a run with other settings)."""

from __future__ import annotations

import os
from pathlib import Path

from torch import nn

from engine.errors import LayerLabError
from engine.importers.weights import WeightsError, load_weights_file
from engine.run_dir import WEIGHTS


def start_from(model: nn.Module, source: str | os.PathLike) -> str:
    """Copy the fitting tensors of `source` (a run directory or a weights file) into `model`; returns
    the note for the run (what was copied, what starts fresh). LayerLabError when nothing fits or
    the file cannot be read, naming it and the fix."""
    path = Path(source).expanduser()
    file = path / WEIGHTS if path.is_dir() else path
    fix = "choose another run or file, or clear training.init_from to start from fresh weights"
    try:
        report = load_weights_file(model, file)
    except (WeightsError, OSError) as error:
        raise LayerLabError(f"training.init_from: {str(error).rstrip('.')} ({fix}).") from None
    if not report.matched:
        raise LayerLabError(f"training.init_from: no tensor of '{file}' fits this network "
                            f"({report.summary().splitlines()[0]}); {fix}.")
    total = len(report.matched) + len(report.missing) + len(report.mismatched)
    fresh = [name for name, *_ in report.mismatched] + report.missing
    rest = f"; starting fresh: {', '.join(fresh[:6])}{' …' if len(fresh) > 6 else ''}" if fresh else ""
    return f"Started from the weights in {path}: {len(report.matched)} of {total} tensors{rest}."
