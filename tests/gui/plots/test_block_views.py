"""The live views show the layers inside blocks, by path, from a real probe of a small ResNet."""

from __future__ import annotations

from tests.engine.training.test_block_probes import resnet_probe
from tests.gui.plots.test_views import shown


def test_gradient_flow_activations_and_filters_show_inner_layers_by_path(qtbot):
    from gui.training.views import TrainingViews

    network, _, probe = resnet_probe()
    views = shown(TrainingViews(), qtbot, (1000, 600))
    views.begin_run(network, "resnet")
    views.consume([probe])
    views.show_panel(views.gradients)
    views.refresh()
    rows = views.gradients.layers
    assert rows[0] == "stem" and rows[-1] == "fc"  # top-level layers by name
    assert rows[1:6] == ["stage1.0.conv1", "stage1.0.bn1", "stage1.0.conv2", "stage1.0.bn2", "stage1.0.shortcut"]
    assert "stage2.blocks.1.conv2" in rows and "stage1" not in rows and "stage2" not in rows
    ticks = [name for _, name in views.gradients.heat_plot.getAxis("left")._tickLevels[0]]
    assert ticks == rows
    assert views.gradients.heat.image.image.shape == (len(rows), 1)

    views.show_panel(views.activations)
    views.refresh()
    outputs = {layer.name: layer for layer in views.activations.layers}
    assert outputs["stage1.0.relu1"].kind == "ReLU" and outputs["stage1.0.relu1"].note.endswith("dead")
    assert outputs["stage2.blocks.0.conv1"].kind == "Conv2d" and "stage1" in outputs  # the block's output too
    names = [layer.name for layer in views.activations.layers]
    assert names.index("stage1") < names.index("stage1.0.conv1") < names.index("stage2")

    assert list(views.histograms.history)[:2] == ["stem", "stage1.0.conv1"]

    views.show_panel(views.filters)
    views.show_node(network.find("stage2"))  # a block selected: its first convolution's filters
    views.refresh()
    assert views.filters.array.shape == (16, 8, 3, 3) and views.filters.label.startswith("stage2.blocks.0.conv1 ")
