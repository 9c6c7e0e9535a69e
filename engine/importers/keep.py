"""An import's own weights (a Python module's, an ONNX file's) kept as a run directory beside the
imported project, so Play, Export and training (`training.init_from`) can use them."""

from __future__ import annotations

import os
from pathlib import Path

from torch import nn

from engine.project import Project


def keep_weights(project: Project, reference: nn.Module, directory: str | os.PathLike, origin: str) -> Path:
    """Compile `project`, copy `reference`'s weights into it and save both as a run directory
    (engine.export.source.save_run_dir, with `origin` in its summary)."""
    from engine.compiler import compile_network
    from engine.export.source import save_run_dir  # the export side writes run directories
    from engine.importers.weights import load_weights

    model = compile_network(project.network)
    load_weights(model, reference.state_dict())
    return save_run_dir(project, model.state_dict(), directory, origin=origin)
