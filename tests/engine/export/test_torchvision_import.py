"""torchvision architectures become editable LayerLab graphs: names kept, parameter counts
identical, outputs identical with the weights copied in, and refusals that list what is missing."""

from __future__ import annotations

import pytest
import torch

from engine.compiler import compile_network
from engine.importers import ImportRefused, import_torchvision, parse_source
from engine.project import project_from_json
from engine.shapes import infer_shapes


@pytest.mark.parametrize("name, shape", [("resnet18", (3, 64, 64)), ("vgg16", (3, 32, 32)),
                                         ("alexnet", (3, 64, 64)), ("resnet50", (3, 224, 224)),
                                         ("densenet121", (3, 64, 64)), ("vgg11_bn", (3, 224, 224))])
def test_parameter_counts_match_torchvision(name, shape):
    result = import_torchvision(name, shape)  # structure only: torchvision's model is on the meta device
    analysis = infer_shapes(result.project.network)
    assert analysis.ok
    assert analysis.total_params == result.reference_params > 0


def _same_outputs(name: str, shape: tuple[int, ...]) -> None:
    result = import_torchvision(name, shape, with_weights=True)
    model = compile_network(result.project.network).eval()
    report = result.copy_weights(model)
    assert report.complete and not report.unexpected, report.summary()
    x = torch.randn(2, *shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected, got = result.reference(x), model(x)
    assert got.shape == expected.shape
    assert torch.allclose(got, expected, atol=1e-5, rtol=0), (got - expected).abs().max()


def test_resnet18_outputs_match_with_copied_weights():
    _same_outputs("resnet18", (3, 64, 64))


@pytest.mark.slow
@pytest.mark.parametrize("name, shape", [("vgg16", (3, 32, 32)), ("alexnet", (3, 64, 64))])
def test_large_models_outputs_match(name, shape):
    _same_outputs(name, shape)


def test_layer_names_are_kept_and_project_round_trips():
    project = import_torchvision("resnet18", (3, 64, 64), flat=True).project  # blocks: tests/engine/blocks
    net = project.network
    names = {net.name_of(n) for n in net.node_ids}
    assert {"conv1", "layer1.0.conv1", "layer4.1.bn2", "layer2.0.downsample.0", "avgpool", "fc"} <= names
    assert {"layer1.0.relu", "layer1.0.relu_1", "add", "flatten"} <= names  # a reused ReLU: one node per call
    assert net.spec(net.find("layer1.0.conv1")).type_id == "Conv2d"
    assert net.node(net.find("avgpool")).params["output_size"] == (1, 1)
    again = project_from_json(project.to_json())
    assert infer_shapes(again.network).total_params == 11_689_512


def test_unsupported_operations_are_listed():
    with pytest.raises(ImportRefused) as caught:
        import_torchvision("swin_t", (3, 224, 224))
    message = str(caught.value)
    assert ("- LayerLab has no layer for torchvision.models.swin_transformer.shifted_window_attention: "
            "'shifted_window_attention', 'shifted_window_attention_1',") in message
    assert "_assert" not in message and "getattr" not in message  # checks of the input size are no layers
    assert len(caught.value.problems) == 27


def test_too_small_input_names_the_layer():
    with pytest.raises(ImportRefused, match="try another --input-shape") as caught:
        import_torchvision("alexnet", (3, 16, 16))
    assert "features." in str(caught.value)


@pytest.mark.parametrize("text", ["resnet18", "torchvision:", "tv:resnet18"])
def test_source_must_name_torchvision(text):
    with pytest.raises(ImportRefused, match="torchvision:NAME"):
        parse_source(text)


def test_unknown_model_suggests_close_names():
    with pytest.raises(ImportRefused, match="Did you mean resnet18"):
        import_torchvision("resnet19")
