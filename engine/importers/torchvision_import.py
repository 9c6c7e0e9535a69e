"""Turn a torchvision architecture into an editable LayerLab network via torch.fx symbolic
tracing. Layer names are kept, parameter counts are checked layer by layer, and every operation
the layer library cannot express exactly is listed in one refusal: nothing is approximated."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from engine.errors import LayerLabError
from engine.graph import Network
from engine.importers.as_blocks import Scopes, as_blocks
from engine.importers.fx_graph import GraphBuilder, ImportRefused, grouped, trace
from engine.importers.weights import WeightsReport, load_weights
from engine.layout import apply_layout
from engine.project import Project
from engine.shapes import infer_shapes

__all__ = ["DEFAULT_INPUT_SHAPE", "PREFIX", "ImportRefused", "ImportResult", "build_reference", "grouped",
           "import_module", "import_torchvision", "parse_source", "torchvision_names"]

PREFIX = "torchvision:"
DEFAULT_INPUT_SHAPE = (3, 224, 224)


@dataclass
class ImportResult:
    """The imported project and the torchvision model it came from (on the meta device, without
    real weights, unless `with_weights` was asked for)."""

    project: Project
    reference: nn.Module
    reference_params: int

    def copy_weights(self, model: nn.Module) -> WeightsReport:
        """Copy the reference model's weights into a compiled LayerLab model."""
        return load_weights(model, self.reference.state_dict())


def torchvision_names() -> list[str]:
    """The torchvision classification architectures (they may or may not import exactly)."""
    import torchvision

    return sorted(torchvision.models.list_models(module=torchvision.models))


def parse_source(source: str) -> str:
    """'torchvision:resnet18' -> 'resnet18', refusing anything else with the expected form."""
    if not source.startswith(PREFIX) or not source[len(PREFIX):]:
        raise ImportRefused(f"Cannot import '{source}': give an architecture as torchvision:NAME, "
                            "e.g. torchvision:resnet18.")
    return source[len(PREFIX):]


AUX_HEADS = frozenset({"googlenet", "inception_v3"})
"""Models with auxiliary classifiers, used only while training: built without them, as the
evaluated model has no use for them (and their weights would count as parameters)."""


def build_reference(name: str, with_weights: bool = False) -> nn.Module:
    """torchvision's model, randomly initialised; on the meta device (instant, no memory) unless
    its weights are wanted. Pretrained weights are not downloaded."""
    import torchvision

    names = torchvision_names()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ImportRefused(f"torchvision has no classification model '{name}'.{hint}")
    options = {"aux_logits": False, "init_weights": False} if name in AUX_HEADS else {}
    if with_weights:
        return torchvision.models.get_model(name, weights=None, **options).eval()
    try:
        with torch.device("meta"):
            return torchvision.models.get_model(name, weights=None, **options).eval()
    except NotImplementedError:  # the builder computes its widths with tensors (RegNet)
        with _parameters_on_meta():
            return torchvision.models.get_model(name, weights=None, **options).eval()


@contextmanager
def _parameters_on_meta() -> Iterator[None]:
    """Modules made inside keep their parameters and buffers on the meta device (other tensors
    are real), so even the largest model costs no memory."""
    register_parameter, register_buffer = nn.Module.register_parameter, nn.Module.register_buffer

    def parameter(self: nn.Module, name: str, param: nn.Parameter | None) -> None:
        if param is not None:
            param = nn.Parameter(param.to("meta"), requires_grad=param.requires_grad)
        register_parameter(self, name, param)

    def buffer(self: nn.Module, name: str, tensor: torch.Tensor | None, persistent: bool = True) -> None:
        register_buffer(self, name, None if tensor is None else tensor.to("meta"), persistent)

    nn.Module.register_parameter, nn.Module.register_buffer = parameter, buffer  # type: ignore[method-assign]
    try:
        yield
    finally:
        nn.Module.register_parameter, nn.Module.register_buffer = (  # type: ignore[method-assign]
            register_parameter, register_buffer)


def import_torchvision(name: str, input_shape: tuple[int, ...] = DEFAULT_INPUT_SHAPE,
                       with_weights: bool = False, flat: bool = False) -> ImportResult:
    """Import torchvision's `name` for inputs of `input_shape` (C, H, W): its submodules become
    blocks (engine.importers.as_blocks), or with `flat` every layer is a card of one network."""
    reference = build_reference(name, with_weights)
    description = (f"torchvision.models.{name}, imported with torch.fx for "
                   f"{'x'.join(map(str, input_shape))} inputs.")
    project = import_module(reference, tuple(input_shape), name, description, flat=flat)
    return ImportResult(project, reference, sum(p.numel() for p in reference.parameters()))


def import_module(module: nn.Module, input_shape: tuple[int, ...], name: str, description: str = "",
                  flat: bool = False) -> Project:
    """Trace `module` and rebuild it from LayerLab layers, or raise ImportRefused with the list; its
    submodules become blocks unless `flat`."""
    try:
        traced = trace(module)
    except Exception as error:
        raise ImportRefused(f"{name} cannot be traced by torch.fx ({type(error).__name__}: "
                            f"{str(error).splitlines()[0] if str(error) else ''}).") from None
    builder = GraphBuilder(traced, input_shape)
    builder.run()
    if builder.problems:
        raise ImportRefused(f"{name} cannot be imported exactly: {len(builder.problems)} operation(s) have no "
                            f"LayerLab layer:\n{grouped(builder.problems)}", builder.problems)
    builder.check_shapes(name)
    network = builder.network if flat else _grouped(builder.network, builder.scopes)
    apply_layout(network)
    return Project(network, name=name, description=description)


def _grouped(flat: Network, scopes: Scopes) -> Network:
    """The network with the model's submodules as blocks, or `flat` itself where that grouping
    would not give the same parameters (it always should)."""
    try:
        network = as_blocks(flat, scopes)
    except LayerLabError:
        return flat
    analysis = infer_shapes(network)
    return network if analysis.ok and analysis.total_params == infer_shapes(flat).total_params else flat
