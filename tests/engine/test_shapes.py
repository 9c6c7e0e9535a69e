"""Shape inference and costs: the course's numbers and errors attributed to the right node."""

from __future__ import annotations

from engine.builder import NetworkBuilder
from engine.graph import Network
from engine.project import load_project
from engine.shapes import infer_shapes
from tests.conftest import ROOT


def conv_net(size: int, **conv) -> tuple[Network, str]:
    b = NetworkBuilder()
    x = b.add("Input", shape=[3, size, size])
    conv_id = b.add("Conv2d", x, **conv)
    b.add("Output", conv_id)
    return b.network, conv_id


def test_course_perceptron_has_13002_parameters():
    project = load_project(ROOT / "sample_projects" / "mnist_mlp.layerlab")
    assert infer_shapes(project.network).total_params == 13_002


def test_padding_arithmetic_from_the_course():
    net, conv = conv_net(32, filters=1, kernel=5, padding=0, stride=1)
    assert infer_shapes(net).nodes[conv].output_shape == (1, 28, 28)
    net.set_param(conv, "padding", 2)
    assert infer_shapes(net).nodes[conv].output_shape == (1, 32, 32)


def test_alexnet_first_layer():
    net, conv = conv_net(227, filters=96, kernel=11, stride=4)
    info = infer_shapes(net).nodes[conv]
    assert info.output_shape == (96, 55, 55)
    assert info.activations == 290_400
    assert info.params == 34_944
    assert info.macs == 290_400 * 11 * 11 * 3


def test_per_axis_stride():
    net, conv = conv_net(12, filters=2, kernel=3, stride=[3, 2])
    assert infer_shapes(net).nodes[conv].output_shape == (2, 4, 5)


def test_kernel_larger_than_input_names_the_node_and_the_fix():
    b = NetworkBuilder()
    x = b.add("Input", shape=[1, 3, 3])
    conv = b.add("Conv2d", x, kernel=5, name="conv2")
    relu = b.add("ReLU", conv)
    b.add("Output", relu)
    analysis = infer_shapes(b.network)
    assert [e.node for e in analysis.errors] == [conv]
    assert analysis.errors[0].message == ("Conv2d 'conv2': 5x5 kernel is larger than its 3x3 input; "
                                          "lower the kernel or add padding")
    assert analysis.errors[0].edges[0].source == x
    assert analysis.nodes[relu].output_shape is None and analysis.nodes[relu].error is None
    b.network.set_param(conv, "padding", 1)
    assert infer_shapes(b.network).ok


def test_dense_on_an_image_asks_for_flatten():
    b = NetworkBuilder()
    dense = b.add("Dense", b.add("Input", shape=[1, 28, 28]))
    b.add("Output", dense)
    (error,) = infer_shapes(b.network).errors
    assert "add a Flatten layer" in error.message and error.node == dense


def test_unconnected_input_missing_output_and_dead_branches():
    net = Network()
    inp = net.add_node("Input", {"shape": [4]})
    dense = net.add_node("Dense")
    analysis = infer_shapes(net)
    messages = [e.message for e in analysis.errors]
    assert any("'in' input is not connected" in m for m in messages)
    assert any("no Output layer" in m for m in messages)
    net.connect(inp, dense)
    out = net.add_node("Output")
    net.connect(inp, out)
    analysis = infer_shapes(net)
    assert analysis.ok
    assert [w.node for w in analysis.warnings] == [dense]


def test_merge_shape_mismatch_is_reported_on_the_merge():
    b = NetworkBuilder()
    x = b.add("Input", shape=[3, 8, 8])
    a = b.add("Conv2d", x, filters=4, kernel=3, padding=1)
    c = b.add("Conv2d", x, filters=4, kernel=3)
    add = b.add("Add", a, c)
    b.add("Output", add)
    (error,) = infer_shapes(b.network).errors
    assert error.node == add and "4x8x8, 4x6x6" in error.message


def test_lenet5_totals_match_the_known_figures():
    """LeNet-5 (ReLU, max-pool, 'same' first conv): parameters, MACs and activations worked out by
    hand from its layers, not from the code under test."""
    project = load_project(ROOT / "sample_projects" / "lenet5.layerlab")
    analysis = infer_shapes(project.network)
    conv1, conv2 = 6 * (5 * 5 * 1 + 1), 16 * (5 * 5 * 6 + 1)
    dense = (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    assert analysis.total_params == conv1 + conv2 + dense == 61_706
    macs = 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10
    assert analysis.total_macs == macs == 416_520
    outputs = [784, 4704, 4704, 1176, 1600, 1600, 400, 400, 120, 120, 84, 84, 10, 10]  # the table's column
    assert analysis.total_activations == sum(outputs) == 15_796


def test_an_empty_network_is_not_wrong_only_empty():
    analysis = infer_shapes(Network())
    assert analysis.errors == [] and analysis.warnings == []
    assert analysis.empty and not analysis.ok  # nothing to build, but nothing to fix either
    assert "empty" in analysis.hint and "Input" in analysis.hint
    assert analysis.totals_note is None
    assert [issue.message for issue in analysis.blocking_issues] == [analysis.hint]  # for builders and the CLI
    net = Network()
    net.add_node("Dense")  # one layer: now the missing Input and Output are real errors
    analysis = infer_shapes(net)
    assert analysis.hint is None and not analysis.empty
    assert any("no Input layer" in e.message for e in analysis.errors)


def test_with_an_error_the_totals_are_those_of_the_known_layers_and_say_so():
    project = load_project(ROOT / "sample_projects" / "lenet5.layerlab")
    net = project.network
    complete = infer_shapes(net)
    assert complete.totals_note is None and complete.unknown_layers == []
    net.set_param(net.find("c3"), "kernel", [20, 20])  # c3 and the 9 layers after it are unknown
    analysis = infer_shapes(net)
    known = [n for n in analysis.order if n not in analysis.unknown_layers]
    assert [net.name_of(n) for n in known] == ["input1", "c1", "relu1", "s2"]
    assert analysis.total_params == complete.nodes[net.find("c1")].params == 156
    assert analysis.total_macs == complete.nodes[net.find("c1")].macs > 0
    assert analysis.totals_note == ("totals of the 4 of 14 layers with known shapes; the other 10 have an error "
                                    "or come after one")


def pool_and_unpool(size: int, **unpool) -> tuple[NetworkBuilder, str, str]:
    b = NetworkBuilder()
    pool = b.add("MaxPool2d", b.add("Input", shape=[2, size, size]), name="pool")
    unpool_id = b.add("MaxUnpool2d", pool, name="unpool", **unpool)
    return b, pool, unpool_id


def test_a_max_pools_indices_feed_only_a_max_unpools_indices():
    """Found by bench_robustness: indices (int64 positions) wired as values, or values wired as
    indices, were accepted and failed in the forward pass."""
    b, pool, unpool = pool_and_unpool(8)
    relu = b.add("ReLU", (pool, "indices"), name="relu")
    b.network.connect(pool, unpool, "out", "indices")  # values where the indices belong
    b.add("Output", b.add("Add", unpool, relu))
    errors = {e.node: e.message for e in infer_shapes(b.network).errors}
    assert set(errors) == {relu, unpool}
    assert "the 'indices' output of 'pool' is not a tensor of values" in errors[relu]
    assert "MaxUnpool2d" in errors[relu] and "'out' output here instead" in errors[relu]
    assert "takes the 'indices' output of a MaxPool2d, not the 'out' output of 'pool'" in errors[unpool]


def test_a_max_unpool_must_restore_the_shape_its_max_pool_took():
    """Found by bench_robustness: pooling 7x7 by 2 gives 3x3, which unpools to 6x6, and an index
    in the 7th row or column then fails in the forward pass ('invalid max index')."""
    for size, ok in ((8, True), (7, False)):
        b, pool, unpool = pool_and_unpool(size)
        b.network.connect(pool, unpool, "indices", "indices")
        b.add("Output", unpool)
        analysis = infer_shapes(b.network)
        assert analysis.ok is ok
        if not ok:
            (error,) = analysis.errors
            assert error.node == unpool and "must be the 2x7x7 that 'pool' took, not 2x6x6" in error.message


def test_a_max_unpool_pads_at_most_half_its_kernel():
    """Found by bench_robustness: padding 3 on a 2x2 unpool made a -2 output size that was accepted."""
    b, pool, unpool = pool_and_unpool(8, padding=3)
    b.network.connect(pool, unpool, "indices", "indices")
    b.add("Output", unpool)
    (error,) = infer_shapes(b.network).errors
    assert error.node == unpool and "padding 3x3 is more than half the 2x2 kernel" in error.message


def test_an_output_size_below_one_is_an_error_on_the_layer(monkeypatch):
    """The net under every layer: a shape function that returns a size below 1 is refused."""
    from engine.layers import unpooling

    monkeypatch.setattr(unpooling, "check_padding", lambda kernel, padding: None)
    b, pool, unpool = pool_and_unpool(8, padding=5)  # (4 - 1) * 2 - 2 * 5 + 2 = -2
    b.network.connect(pool, unpool, "indices", "indices")
    b.add("Output", unpool)
    (error,) = infer_shapes(b.network).errors
    assert error.node == unpool and "output would be 2x-2x-2, with a size below 1" in error.message


def test_an_input_shape_has_real_sizes():
    """Found by bench_robustness: an Input of shape [-1, 4] (-1 is valid in a Reshape's shape) was
    accepted and failed when a batch was made; so did a sample of 10^30 values."""
    for shape, message in (([-1, 4], "must have sizes of at least 1"), ([10**15, 10**15], "more than the")):
        net = Network()
        inp = net.add_node("Input", {"shape": shape})
        net.connect(inp, net.add_node("Output"))
        (error,) = infer_shapes(net).errors
        assert error.node == inp and message in error.message
