"""`python` (.py): one standalone, readable PyTorch file defining the model as an nn.Module,
plus its weights beside it (`NAME.weights.pt`, a weights-only state dict). Needs only torch."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import textwrap
from pathlib import Path

import torch

from engine.export.base import ExportError, ExportFormat, Outputs, Runner, Sidecar, sidecar_path
from engine.export.codegen import CodegenError, class_name, model_source
from engine.export.source import ExportSource

WEIGHTS_SUFFIX = ".weights.pt"

_TEMPLATE = '''\
"""{title} as a plain PyTorch module, written by LayerLab.
{description}
Needs only PyTorch. The trained weights are in {weights} beside this file:

    from {stem} import load_model
    model = load_model()                      # weights loaded, in eval mode
    output = model(torch.randn(8, {shape_text}))

`python {file}` loads the model and runs one random batch through it as a check.
"""

from pathlib import Path

import torch
from torch import nn

INPUT_SHAPE = {shape!r}
WEIGHTS = Path(__file__).with_name({weights!r})


{model}


def load_model(weights: str | Path = WEIGHTS) -> {cls}:
    """The model with its weights (a state dict, read with weights_only=True), in eval mode."""
    model = {cls}()
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return model.eval()


if __name__ == "__main__":
    model = load_model()
    with torch.no_grad():
        output = model(torch.randn(2, *INPUT_SHAPE))
    print(f"{cls}: input {{(2, *INPUT_SHAPE)}} -> output {{tuple(output.shape)}}")
'''


def render(source: ExportSource, path: Path) -> str:
    """The file's text for a model exported to `path`."""
    name = class_name(source.project.name)
    description = textwrap.fill(source.project.description, 96) + "\n" if source.project.description else ""
    try:
        model = model_source(source.model, name, f"{source.project.name} (layers as in the LayerLab project).",
                             source.project.network)
    except CodegenError as error:
        raise ExportError(f"The python format cannot write this model: {error}.") from None
    return _TEMPLATE.format(title=source.project.name, description="\n" + description if description else "",
                            weights=sidecar_path(path, WEIGHTS_SUFFIX).name, stem=path.stem, file=path.name,
                            shape=tuple(source.input_shape), shape_text=", ".join(map(str, source.input_shape)),
                            model=model, cls=name)


def write(source: ExportSource, out: Outputs) -> None:
    out.path.write_text(render(source, out.target), encoding="utf-8")
    torch.save(source.state_dict(), out.sidecars[WEIGHTS_SUFFIX])


def import_file(path: Path, module_name: str = "layerlab_exported_model"):
    """Import a generated file as a module (for the self-check); it is not left in sys.modules."""
    loader = importlib.machinery.SourceFileLoader(module_name, str(path))  # any suffix (a .tmp file)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(module_name, loader))
    sys.modules[module_name] = module  # dataclasses and pickling look the module up by name
    try:
        loader.exec_module(module)
    finally:
        sys.modules.pop(module_name, None)
    return module


def load(source: ExportSource, out: Outputs) -> Runner:
    module = import_file(out.path)
    return module.load_model(out.sidecars[WEIGHTS_SUFFIX])


FORMAT = ExportFormat("python", ".py", "standalone readable PyTorch file (nn.Module) + weights; needs only torch",
                      write, load, sidecars=(Sidecar(WEIGHTS_SUFFIX),))
