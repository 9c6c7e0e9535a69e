"""Attributions (Captum): maps of the input's size in 0..1 on LeNet-5, integrated gradients'
completeness, and the methods that do not apply disabled with the reason."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine.compiler import compile_network
from engine.play import explain, inputs
from engine.play.explain import METHODS, NO_CAPTUM, attribute, available_methods, raw_attribution
from tests.engine.play.conftest import sample

pytest.importorskip("captum")


def test_every_method_gives_a_map_of_the_input_in_0_to_1_on_lenet5(trained_lenet):
    _, run = trained_lenet
    model, project = run.model(), run.project
    assert available_methods(model, project) == dict.fromkeys(METHODS)
    x = inputs.to_model_input(inputs.test_samples(project, 1).images[0], project)
    for method in METHODS:
        for target in (0, 7):
            heat = attribute(model, project, x, method, target)
            assert heat.shape == (28, 28) and heat.dtype == np.float32, method
            assert heat.min() >= 0 and heat.max() == pytest.approx(1), method
    assert model.training is False and all(p.grad is None for p in model.parameters())


def test_integrated_gradients_add_up_to_the_change_of_the_score(trained_lenet):
    _, run = trained_lenet
    model, project = run.model(), run.project
    samples = inputs.test_samples(project, 3)
    for image, label in zip(samples.images, samples.labels):
        x = inputs.to_model_input(image, project)
        total = float(raw_attribution(model, project, x, "integrated_gradients", int(label), steps=128).detach().sum())
        with torch.no_grad():
            change = float(model(x)[0, label] - model(explain.baseline(x, project))[0, label])
        assert total == pytest.approx(change, rel=0.01)


def test_the_panel_says_how_well_integrated_gradients_add_up(trained_lenet):
    """The Play panel's few steps are not exact; its note says by how much (completeness)."""
    import re

    _, run = trained_lenet
    model, project = run.model(), run.project
    x = inputs.to_model_input(inputs.test_samples(project, 1).images[0], project)
    _, note = explain.attribute_with_note(model, project, x, "integrated_gradients", 3)
    gap = float(re.search(r"within ([0-9.]+) %", note).group(1))
    assert "16 steps" in note and gap < 5
    assert explain.attribute_with_note(model, project, x, "saliency", 3)[1] == ""


def test_methods_that_do_not_apply_say_why():
    mlp = sample("mnist_mlp")
    model = compile_network(mlp.network)
    methods = available_methods(model, mlp)
    assert methods["saliency"] is None and methods["integrated_gradients"] is None
    assert methods["grad_cam"] == "Grad-CAM needs a convolutional layer; this network has none"
    with pytest.raises(explain.ExplainError, match="Grad-CAM cannot be used: Grad-CAM needs a convolutional"):
        attribute(model, mlp, torch.zeros(1, 1, 28, 28), "grad_cam", 0)
    autoencoder = sample("conv_autoencoder")
    reasons = available_methods(compile_network(autoencoder.network), autoencoder)
    assert all(reason and "not classes" in reason for reason in reasons.values())


def test_without_captum_every_method_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(explain, "captum_installed", lambda: False)
    project = sample("lenet5")
    assert available_methods(compile_network(project.network), project) == dict.fromkeys(METHODS, NO_CAPTUM)
