"""Why the network answers as it does: attribution maps over the input, computed with Captum
(optional: pip install "layerlab[explain]"). Saliency (|gradient|), integrated gradients (from a
black image) and Grad-CAM (the last convolutional layer, upsampled to the input)."""

from __future__ import annotations

import importlib.util

import numpy as np
import torch
from torch import fx, nn

from engine.errors import LayerLabError
from engine.play.predict import no_classes_reason, output_loss
from engine.project import Project
from engine.training.probes import one_thread, probe_layers

METHODS = ("saliency", "integrated_gradients", "grad_cam")
LABELS = {"saliency": "Saliency", "integrated_gradients": "Integrated gradients", "grad_cam": "Grad-CAM"}
IG_STEPS = 16  # Gauss-Legendre points: within a few % of completeness, fast enough to follow a drawing
NO_CAPTUM = 'Captum is not installed: pip install "layerlab[explain]"'


class ExplainError(LayerLabError):
    """An attribution method that does not apply to this network or input."""


def captum_installed() -> bool:
    return importlib.util.find_spec("captum") is not None


def last_conv_layer(model: nn.Module) -> str | None:
    """The module path of the last 2-D convolution (in the model's order), or None."""
    if isinstance(model, fx.GraphModule):
        paths = [place.path for place in probe_layers(model).values() if not place.is_block]
    else:
        paths = [name for name, _ in model.named_modules()]
    convs = [path for path in paths if isinstance(model.get_submodule(path), nn.Conv2d)]
    return convs[-1] if convs else None


def _output_shape(model: nn.Module, project: Project) -> tuple[int, ...]:
    from engine.shapes import infer_shapes

    (output_id,) = project.network.nodes_with_role("output")
    shape = infer_shapes(project.network).nodes[output_id].output_shape
    return tuple(shape) if shape is not None else ()


def available_methods(model: nn.Module, project: Project) -> dict[str, str | None]:
    """Each method -> None when it can be used, else the reason it cannot."""
    reason = no_classes_reason(project, _output_shape(model, project))
    reasons: dict[str, str | None] = dict.fromkeys(METHODS, reason)
    if reason is None and not captum_installed():
        reasons = dict.fromkeys(METHODS, NO_CAPTUM)
    if reasons["grad_cam"] is None:
        (input_id,) = project.network.nodes_with_role("input")
        if len(project.network.node(input_id).params["shape"]) != 3:
            reasons["grad_cam"] = "Grad-CAM needs an image input (channels × height × width)"
        elif last_conv_layer(model) is None:
            reasons["grad_cam"] = "Grad-CAM needs a convolutional layer; this network has none"
    return reasons


class _Scores(nn.Module):
    """The model with its output made class scores Captum can pick a target from (one bce unit:
    the two classes' logits -s/2, s/2)."""

    def __init__(self, model: nn.Module, loss: str) -> None:
        super().__init__()
        self.model, self.loss = model, loss

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scores = self.model(x)
        if self.loss == "bce" and scores.shape[1] == 1:
            return torch.cat([-scores / 2, scores / 2], dim=1)
        return scores


def baseline(x: torch.Tensor, project: Project) -> torch.Tensor:
    """A black image as the network sees it (normalized), the integrated gradients' starting point."""
    from engine.play.data import normalize, project_dataset

    return normalize(torch.zeros_like(x, device="cpu"), project_dataset(project)).to(x.device)


def raw_attribution(model: nn.Module, project: Project, x: torch.Tensor, method: str, target: int,
                    steps: int = IG_STEPS) -> torch.Tensor:
    """Captum's attribution for one input (1×...): the input's shape for saliency and integrated
    gradients (`steps` along the path), 1×1×h×w at the last convolution for Grad-CAM."""
    reason = available_methods(model, project).get(method, f"unknown method '{method}'; use one of "
                                                   f"{', '.join(METHODS)}")
    if reason:
        raise ExplainError(f"{LABELS.get(method, method)} cannot be used: {reason}.")
    from captum.attr import IntegratedGradients, LayerGradCam, Saliency

    wrapped = _Scores(model, output_loss(project.network))
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    x = x.float().to(device).detach().requires_grad_(True)
    if method == "saliency":
        return Saliency(wrapped).attribute(x, target=target, abs=True)
    if method == "integrated_gradients":
        return IntegratedGradients(wrapped).attribute(x, baselines=baseline(x, project), target=target,
                                                      n_steps=steps, internal_batch_size=steps)
    layer = model.get_submodule(last_conv_layer(model))
    return LayerGradCam(wrapped, layer).attribute(x, target=target, relu_attributions=True)


def attribute(model: nn.Module, project: Project, x: torch.Tensor, method: str, target: int,
              steps: int = IG_STEPS) -> np.ndarray:
    """An attribution map of `target` for one normalized input (1×C×H×W): H×W for images (the
    channels' largest magnitude; Grad-CAM upsampled from the last convolution), the input's shape
    otherwise; non-negative, scaled to 0..1 (all zeros when nothing contributes). ExplainError with
    the reason when the method does not apply."""
    return attribute_with_note(model, project, x, method, target, steps)[0]


def attribute_with_note(model: nn.Module, project: Project, x: torch.Tensor, method: str, target: int,
                        steps: int = IG_STEPS) -> tuple[np.ndarray, str]:
    """`attribute`'s map, and for integrated gradients a sentence on how well it adds up to the
    score's change from the baseline (its completeness, which more steps make exact)."""
    x = x if x.dim() > 1 and x.shape[0] == 1 else x.unsqueeze(0)
    was_training = model.training
    model.eval()
    note = ""
    try:
        with one_thread():
            result = raw_attribution(model, project, x, method, target, steps).detach().float()
            if method == "integrated_gradients":
                note = _completeness_note(model, project, x, float(result.sum()), target, steps)
    finally:
        model.train(was_training)
    if method == "grad_cam":
        from captum.attr import LayerAttribution

        result = LayerAttribution.interpolate(result, tuple(x.shape[-2:]), "bilinear")
    result = result[0].abs()
    if result.dim() == 3:
        result = result.amax(dim=0)
    peak = float(result.max()) if result.numel() else 0.0
    if peak > 0:
        result = result / peak
    return result.cpu().numpy().astype(np.float32), note


def _completeness_note(model: nn.Module, project: Project, x: torch.Tensor, total: float, target: int,
                       steps: int) -> str:
    with torch.no_grad():
        scores = _Scores(model, output_loss(project.network))
        change = float(scores(x)[0, target] - scores(baseline(x, project))[0, target])
    gap = abs(total - change) / max(abs(change), 1e-12)
    return (f"The map's values add up to the score's change from a black image ({change:+.3g}) "
            f"within {100 * gap:.2g} % ({steps} steps).")
