"""The lessons (sample_projects/lessons): the index, the files, and each lesson's stated numbers.

Structural numbers (parameters, shapes, worked matrices) are fast; results that need training are
slow-marked (run with -m slow) and were measured on a 2-core CPU with the lessons' own settings."""

from __future__ import annotations

import json

import pytest
import torch

from engine.compiler import compile_network
from engine.graph import Network
from engine.project import Project, load_project
from engine.shapes import Analysis, infer_shapes
from tests.conftest import ROOT

LESSONS = ROOT / "sample_projects" / "lessons"
INDEX = json.loads((LESSONS / "lessons.json").read_text(encoding="utf-8"))
IDS = [entry["id"] for entry in INDEX]
VIEWS = {"Loss", "Activations", "Filters", "Gradient flow", "Histograms", "Confusion", "Boundary", "Reconstruction",
         "Gradient check"}


def lesson(lesson_id: str) -> tuple[Project, Analysis]:
    project = load_project(LESSONS / f"{lesson_id}.layerlab")
    return project, infer_shapes(project.network)


def shape_of(lesson_id: str, layer: str) -> tuple[int, ...]:
    project, analysis = lesson(lesson_id)
    return tuple(analysis.nodes[project.network.find(layer)].output_shape)


def params_of(lesson_id: str, layer: str) -> int:
    project, analysis = lesson(lesson_id)
    return analysis.nodes[project.network.find(layer)].params


def test_the_index_lists_every_lesson_in_the_gallery_format():
    assert sorted(IDS) == IDS and len(set(IDS)) == len(IDS)
    for entry in INDEX:
        assert set(entry) == {"id", "title", "project", "text", "views", "expect"}
        assert entry["project"] == f"{entry['id']}.layerlab"
        assert entry["title"] and entry["expect"] and "TBD" not in entry["expect"]
        assert entry["views"] and set(entry["views"]) <= VIEWS, entry["id"]
    assert sorted(p.name for p in LESSONS.glob("*.layerlab")) == sorted(e["project"] for e in INDEX)


@pytest.mark.parametrize("lesson_id", IDS)
def test_each_lesson_loads_analyses_and_has_its_markdown(lesson_id):
    entry = INDEX[IDS.index(lesson_id)]
    project, analysis = lesson(lesson_id)
    assert not project.problems
    assert analysis.ok and not analysis.errors and not analysis.warnings, analysis.errors
    text = (LESSONS / entry["text"]).read_text(encoding="utf-8")
    assert text.startswith("# ") and len(text) > 300
    for view in entry["views"]:
        assert view in text, f"{entry['text']} does not mention the {view} view"


def test_the_builder_writes_the_shipped_lessons(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_lessons", LESSONS / "build_lessons.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert [lesson.entry() for lesson in builder.LESSONS] == INDEX
    for lesson in builder.LESSONS:
        if lesson.id != "16_vgg16":  # an import of torchvision's VGG-16: slow to build, checked above
            lesson.make().save(tmp_path / "lesson.layerlab")
            shipped = (LESSONS / f"{lesson.id}.layerlab").read_text(encoding="utf-8")
            assert (tmp_path / "lesson.layerlab").read_text(encoding="utf-8") == shipped, lesson.id


def test_perceptron_has_13002_parameters():
    assert lesson("01_perceptron")[1].total_params == 13_002  # 784*16+16 + 16*16+16 + 16*10+10


def test_convolution_output_size_formula():
    assert shape_of("13a_conv_no_padding", "conv") == (6, 28, 28)  # (32 - 5 + 0) / 1 + 1
    assert shape_of("13b_conv_padding_2", "conv") == (6, 32, 32)  # (32 - 5 + 4) / 1 + 1


def test_alexnet_conv1_outputs_and_parameters():
    assert shape_of("14_alexnet_conv1", "conv1") == (96, 55, 55)
    project, analysis = lesson("14_alexnet_conv1")
    assert analysis.nodes[project.network.find("conv1")].activations == 290_400
    assert analysis.total_params == 34_944


def test_lenet5_shapes_and_parameters():
    assert [shape_of("15_lenet5", name) for name in ("c1", "s2", "c3", "s4", "f5", "f6", "f7")] == [
        (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (120,), (84,), (10,)]
    assert lesson("15_lenet5")[1].total_params == 61_706


def test_vgg16_memory_and_parameter_table():
    project, analysis = lesson("16_vgg16")
    network = project.network
    assert analysis.total_params == 138_357_544
    assert params_of("16_vgg16", "classifier.0") == 102_764_544  # fc6: 7*7*512*4096 + 4096
    assert shape_of("16_vgg16", "features.0") == (64, 224, 224)
    stored = sum(analysis.nodes[n].activations for n in analysis.order
                 if network.spec(n).type_id in ("Input", "Conv2d", "MaxPool2d", "Dense"))
    assert stored == 15_237_608  # about 61 MB of float32 per image, forward only
    assert analysis.total_activations == 28_852_688  # every layer's output, ReLUs and all


def test_resnet_block_keeps_the_shape_and_adds_its_input():
    assert shape_of("17_resnet_block", "pool1") == shape_of("17_resnet_block", "block") == (16, 14, 14)
    assert params_of("17_resnet_block", "block") == 4_672  # 2 x (16*16*9) conv weights + 2 x 32 BN
    assert lesson("17_resnet_block")[1].total_params == 12_698


def run_fixed(network: Network, x: list) -> torch.Tensor:
    model = compile_network(network).eval()
    with torch.no_grad():
        return model(torch.tensor(x, dtype=torch.float32)[None, None])[0, 0]


def test_unpooling_on_the_course_matrices():
    small = [[1, 2], [3, 4]]
    assert run_fixed(lesson("20a_nearest")[0].network, small).tolist() == [
        [1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    assert run_fixed(lesson("20b_bed_of_nails")[0].network, small).tolist() == [
        [1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]
    assert run_fixed(lesson("20c_max_unpool")[0].network, [[1, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]]
                     ).tolist() == [[0, 0, 6, 0], [0, 5, 0, 0], [0, 0, 0, 0], [7, 0, 0, 8]]
    network = lesson("20d_transposed_conv")[0].network
    model = compile_network(network).eval()
    (weight,) = model.parameters()
    assert tuple(weight.shape) == (1, 1, 3, 3)
    with torch.no_grad():
        weight.fill_(1.0)  # the course's kernel of ones
        out = model(torch.tensor(small, dtype=torch.float32)[None, None])[0, 0]
    assert out.tolist() == [[1, 3, 2, 2], [4, 10, 6, 6], [3, 7, 4, 4], [3, 7, 4, 4]]


def test_conv_autoencoder_code_is_a_quarter_of_its_input():
    assert shape_of("21_conv_autoencoder", "code") == (4, 7, 7)  # 196 numbers for 784 pixels
    assert shape_of("21_conv_autoencoder", "image") == (1, 28, 28)


# -- results that need training (slow: run with -m slow); measured numbers in each lesson's Markdown --

def train(lesson_id: str, **overrides):
    from engine.training import Finished, Trainer

    project = load_project(LESSONS / f"{lesson_id}.layerlab")
    trainer = Trainer(project, settings={**project.training, "device": "cpu", **overrides})
    records = list(trainer.run())
    assert isinstance(records[-1], Finished), getattr(records[-1], "message", "")
    return trainer, records


def final(lesson_id: str, **overrides) -> dict:
    return train(lesson_id, **overrides)[1][-1].summary["final"]


def grad_ratio(lesson_id: str) -> float:
    """The largest ratio fc1 / scores of gradient norms over the run's probes."""
    from engine.training import ProbeRecord

    trainer, records = train(lesson_id, probe_every=50)
    network = trainer.project.network
    first, last = network.find("fc1"), network.find("scores")
    return max(r.grad_norm[first] / r.grad_norm[last] for r in records if isinstance(r, ProbeRecord))


@pytest.mark.slow
def test_perceptron_reaches_83_percent_in_3_epochs():
    assert final("01_perceptron")["test_accuracy"] >= 0.82  # 83.1 % measured


@pytest.mark.slow
def test_square_loss_on_sigmoids_stalls_where_cross_entropy_learns():
    square, cross = final("03a_square_loss"), final("03b_cross_entropy")
    assert square["test_accuracy"] < 0.2  # 11.7 % measured: one class for every digit
    assert cross["test_accuracy"] >= 0.79  # 80.5 % measured


@pytest.mark.slow
def test_gradient_check_agrees_to_1e_7():
    from engine.training.gradcheck import gradient_check

    checks = gradient_check(load_project(LESSONS / "05_gradient_check.layerlab"))
    assert max(c.max_relative_error for c in checks) < 1e-6  # 8.6e-8 measured
    assert final("05_gradient_check")["test_accuracy"] >= 0.83  # 84.75 % measured


@pytest.mark.slow
def test_l1_makes_fc1_sparse_and_l2_does_not():
    def small_share(lesson_id: str) -> float:
        trainer, _ = train(lesson_id)
        weight = dict(trainer.model.named_parameters())["fc1.weight"]
        return (weight.abs() < 1e-3).float().mean().item()

    l1, l2, elastic = small_share("07a_l1"), small_share("07b_l2"), small_share("07c_elastic_net")
    assert l1 > 0.70 and 0.55 < elastic < l1 and l2 < 0.06  # 73.9 %, 60.4 %, 4.0 % measured


@pytest.mark.slow
def test_early_stopping_stops_at_epoch_11_with_best_epoch_8():
    _, records = train("08_early_stopping")
    summary = records[-1].summary
    assert summary["stopped_reason"] == "early_stopping"
    assert (summary["epochs_run"], summary["best_epoch"]) == (11, 8)
    assert summary["final"]["test_accuracy"] >= 0.84  # 85.05 % measured


@pytest.mark.slow
def test_batch_norm_uses_the_batch_in_train_mode_and_running_averages_in_eval_mode():
    from engine.data.dataset import load_dataset

    trainer, records = train("10_batch_norm")
    assert records[-1].summary["final"]["test_accuracy"] >= 0.915  # 92.7 % measured
    x = load_dataset(trainer.project.dataset).test.x[:64]
    other = torch.cat([x[:1], x[32:63]])  # the same first digit, other batch-mates
    model = trainer.model
    with torch.no_grad():
        model.eval()
        assert torch.allclose(model(x)[0], model(other)[0], atol=1e-5)
        assert torch.allclose(model(x[:1])[0], model(x)[0], atol=1e-5)  # a batch of one is fine
        model.train()
        assert not torch.allclose(model(x)[0], model(other)[0], atol=1e-3)


@pytest.mark.slow
def test_label_smoothing_makes_the_network_less_confident():
    from engine.data.dataset import load_dataset

    def confidence(lesson_id: str) -> tuple[float, float]:
        trainer, records = train(lesson_id)
        x = load_dataset(trainer.project.dataset).test.x
        with torch.no_grad():
            top = torch.softmax(trainer.model.eval()(x), 1).max(1).values.mean().item()
        return top, records[-1].summary["final"]["test_accuracy"]

    (hard, hard_accuracy), (smooth, smooth_accuracy) = confidence("11a_hard_labels"), confidence("11b_label_smoothing")
    assert hard > 0.85 and smooth < 0.78  # 0.875 and 0.749 measured
    assert min(hard_accuracy, smooth_accuracy) >= 0.89  # 90.0 % and 90.4 % measured


@pytest.mark.slow
def test_lenet5_reaches_93_percent_in_two_epochs():
    assert final("15_lenet5")["test_accuracy"] >= 0.925  # 93.55 % measured


@pytest.mark.slow
def test_encoder_8_3_8_reconstructs_all_eight_inputs():
    trainer, records = train("18_encoder_8_3_8")
    assert records[-1].summary["final"]["train_loss"] < 0.01  # 0.0046 measured
    with torch.no_grad():
        out = torch.sigmoid(trainer.model.eval()(torch.eye(8)))
    assert torch.equal(out.argmax(1), torch.arange(8))
    assert (out - torch.eye(8)).abs().max() < 0.06  # 0.039 measured


@pytest.mark.slow
def test_linear_autoencoder_comes_within_3_percent_of_pca():
    from engine.data.dataset import load_dataset

    trainer, records = train("19_pca_autoencoder")
    data = load_dataset(trainer.project.dataset)
    x = data.train.x.flatten(1).double()
    mean = x.mean(0)
    basis = torch.linalg.svd(x - mean, full_matrices=False)[2][:16].T
    test = data.test.x.flatten(1).double()
    pca = ((((test - mean) @ basis @ basis.T + mean) - test) ** 2).mean().item()  # 0.0273
    autoencoder = records[-1].summary["final"]["test_loss"]  # 0.0280 measured
    assert 0.99 * pca <= autoencoder <= 1.03 * pca


@pytest.mark.slow
def test_conv_autoencoder_reconstructs_and_interpolates_between_codes():
    from engine.data.dataset import load_dataset
    from engine.submodels import split_at

    trainer, records = train("21_conv_autoencoder")
    assert records[-1].summary["final"]["test_loss"] < 0.016  # 0.0139 measured
    model = trainer.model.eval()
    name = model.meta["layerlab_nodes"][trainer.project.network.find("code_relu")]
    encoder, decoder = split_at(model, name)
    pair = load_dataset(trainer.project.dataset).test.x[:2]
    with torch.no_grad():
        codes = encoder(pair)
        assert codes[0].numel() == 196  # a quarter of the 784 pixels
        ends = decoder(codes)
        assert torch.allclose(ends, model(pair), atol=1e-6)
        middle = decoder(codes[:1] * 0.5 + codes[1:] * 0.5)
    assert middle.shape == (1, 1, 28, 28) and middle.min() >= 0 and middle.max() <= 1
    assert not torch.allclose(middle, ends[:1], atol=0.05) and not torch.allclose(middle, ends[1:], atol=0.05)


@pytest.mark.slow
def test_augmentation_narrows_the_gap_between_training_and_test():
    plain, augmented = final("12a_no_augmentation"), final("12b_augmentation")
    assert plain["train_accuracy"] - plain["test_accuracy"] > 0.07  # 99.2 - 90.1 measured
    assert augmented["train_accuracy"] - augmented["test_accuracy"] < 0.06  # 95.6 - 91.15 measured
    assert augmented["test_accuracy"] > plain["test_accuracy"]


@pytest.mark.slow
def test_dropout_is_random_in_training_and_lowers_the_test_loss():
    from engine.data.dataset import load_dataset

    plain = final("09a_no_dropout")
    trainer, records = train("09b_dropout")
    dropped = records[-1].summary["final"]
    assert plain["train_accuracy"] > 0.99 and dropped["test_loss"] < plain["test_loss"]  # 0.578 < 0.650
    assert dropped["test_accuracy"] >= plain["test_accuracy"] - 0.01  # 85.9 % vs 85.35 % measured
    x = load_dataset(trainer.project.dataset).test.x[:8]
    model = trainer.model
    with torch.no_grad():
        assert torch.equal(model.eval()(x), model(x))
        assert not torch.equal(model.train()(x), model(x))


@pytest.mark.slow
def test_resnet_block_network_reaches_94_percent_in_two_epochs():
    assert final("17_resnet_block")["test_accuracy"] >= 0.94  # 95.05 % measured


@pytest.mark.slow
def test_vanishing_gradients_sigmoid_vs_relu_vs_residual():
    assert grad_ratio("06a_deep_sigmoid") < 1e-5  # 4e-7 to 9e-7 measured
    assert 0.3 < grad_ratio("06b_deep_relu") < 10  # He initialization: 0.65 to 2.2 measured
    assert grad_ratio("06c_deep_residual") > 0.2  # up to 1.24 measured
    assert final("06a_deep_sigmoid")["test_accuracy"] < 0.2  # 11.7 %: one class for every digit
    assert final("06b_deep_relu")["test_accuracy"] >= 0.55  # 63.05 % measured (11.7 % with default init)
    assert final("06c_deep_residual")["test_accuracy"] >= 0.83  # 84.55 % measured


@pytest.mark.slow
def test_deep_relu_with_pytorchs_default_initialization_stays_stuck():
    from engine.training import Trainer

    project = load_project(LESSONS / "06b_deep_relu.layerlab")
    network = project.network
    for node_id in network.node_ids:
        if network.node(node_id).type == "Dense":
            network.set_param(node_id, "init", "default")
    records = list(Trainer(project, settings={**project.training, "device": "cpu"}).run())
    assert records[-1].summary["final"]["test_accuracy"] < 0.2  # 11.7 % measured: one class for every digit


@pytest.mark.slow
def test_activations_on_the_spiral_sigmoid_lags_tanh_and_relu():
    assert final("02a_sigmoid")["test_accuracy"] < 0.75  # 60.0 % measured
    assert final("02b_tanh")["test_accuracy"] >= 0.97  # 100 % measured
    assert final("02c_relu")["test_accuracy"] >= 0.97  # 99.5 % measured


@pytest.mark.slow
def test_full_batch_vs_sgd_vs_minibatch_after_5_epochs():
    assert final("04a_full_batch")["test_accuracy"] < 0.4  # 29.5 % measured, 5 steps
    assert final("04b_sgd")["test_accuracy"] >= 0.85  # 86.95 % measured, 9,000 steps
    assert final("04c_minibatch")["test_accuracy"] >= 0.83  # 84.75 % measured, 285 steps
