"""What the data needs of the network, known before training (issues on the Output), and the
preview of the data (size, splits, samples per class, first rows, pictures)."""

import numpy as np
import pytest

from engine.builder import NetworkBuilder
from engine.data import load_dataset
from engine.data.bind import units_layer
from engine.data.fit import DataFacts, DataIssue, dataset_fit_issues, with_fit_issues
from engine.data.preview import preview_dataset
from engine.data.schema import SettingsError
from engine.data.settings import DatasetSettings
from engine.shapes import infer_shapes

TWO_CLASSES = DataFacts("spiral", "classification", (2,), 2, None)


def _mlp(units: int, loss: str = "cross_entropy", shape=(2,), tail=("ReLU",)):
    b = NetworkBuilder()
    x = b.add("Input", shape=list(shape))
    x = b.chain(x, ("Flatten",), ("Dense", {"units": 8}, "fc1"), ("ReLU",), ("Dense", {"units": units}, "fc3"),
                *[(layer,) for layer in tail])
    b.add("Output", x, loss=loss)
    return b.finish()


def test_an_output_size_that_is_not_the_number_of_classes_is_an_issue_on_the_output():
    network = _mlp(16)
    issues = dataset_fit_issues(network, infer_shapes(network), TWO_CLASSES)
    (output,) = network.nodes_of_type("Output")
    assert issues == [DataIssue(output, "The network's Output gets 16 values, but spiral has 2 classes: set the "
                                        "units of 'fc3' to 2.")]
    assert units_layer(network, infer_shapes(network), output) == network.find("fc3")  # through the ReLU
    merged = with_fit_issues(network, infer_shapes(network), TWO_CLASSES)
    assert merged.error_for(output) == issues[0].message and merged.errors == issues
    assert dataset_fit_issues(_mlp(2), infer_shapes(_mlp(2)), TWO_CLASSES) == []
    assert dataset_fit_issues(network, infer_shapes(network), None) == []


def test_a_loss_that_does_not_fit_the_task_is_an_issue():
    reconstruction = DataFacts("one_hot_8", "reconstruction", (8,), None, (8,))
    network = _mlp(8, shape=(8,), tail=())
    (issue,) = dataset_fit_issues(network, infer_shapes(network), reconstruction)
    assert "cross_entropy, which needs class labels; for reconstruction choose mse" in issue.message
    regression = DataFacts("prices.csv", "regression", (3,), None, (1,))
    network = _mlp(1, "mse_onehot", shape=(3,), tail=())
    (issue,) = dataset_fit_issues(network, infer_shapes(network), regression)
    assert "mse_onehot, which needs class labels" in issue.message


def test_the_output_is_judged_on_the_network_as_it_will_be_trained():
    network = _mlp(16, shape=(1, 28, 28))  # the trainer binds the Input to the data's (2,) first
    (issue,) = dataset_fit_issues(network, infer_shapes(network), TWO_CLASSES)
    assert "set the units of 'fc3' to 2" in issue.message
    assert network.node(network.nodes_of_type("Input")[0]).params["shape"] == (1, 28, 28)  # not changed


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "flowers.csv"
    rows = ["length,width,species"] + [f"{i * 0.1:.1f},{i % 7},{'rose' if i % 3 else 'tulip'}" for i in range(90)]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_preview_of_a_csv_counts_classes_and_shows_the_first_rows(table):
    settings = {"source": "csv", "path": str(table), "validation_split": 0.2, "test_split": 0.1}
    preview = preview_dataset(settings)
    data = load_dataset(settings)
    assert preview.splits == (len(data.train), len(data.val), len(data.test))
    assert preview.samples == 90 and preview.sample_shape == (2,) and preview.num_classes == 2
    assert preview.class_names == ["rose", "tulip"] and preview.class_counts == [60, 30]
    assert preview.columns == ["length", "width", "species"]
    assert preview.rows[0] == ["0", "0", "tulip"] and len(preview.rows) == 5
    assert preview.points is not None and preview.points.shape[1] == 2
    assert preview.facts == DataFacts("flowers.csv", "classification", (2,), 2, None)
    assert preview.summary() == "flowers.csv: 90 samples of 2 features in 2 classes (65 train · 16 validation · " \
                                "9 test)"


def test_preview_of_images_has_pictures_and_labels():
    preview = preview_dataset({"source": "mnist", "subset": 500})
    assert preview.images.shape == (16, 1, 28, 28) and preview.images.min() >= 0 and preview.images.max() <= 1
    assert len(preview.image_labels) == 16 and sum(preview.class_counts) == 70_000
    assert preview.splits == (500, 0, 10_000)


def test_preparation_problems_show_in_the_preview():
    from engine.data.errors import DatasetError

    with pytest.raises(DatasetError, match="'channel' is for images"):
        preview_dataset({"source": "spiral", "normalize": "channel"})


def test_settings_errors_carry_key_problem_and_fix():
    with pytest.raises(SettingsError) as caught:
        DatasetSettings.from_dict({"source": "csv"})
    error = caught.value
    assert (error.key, error.kind, error.fix) == ("dataset.path", "missing", "choose a CSV file")
    assert "set dataset.path" in str(error)  # the CLI's words stay
    with pytest.raises(SettingsError) as caught:
        DatasetSettings.from_dict({"augment": {"rotate": -1}})
    assert caught.value.path == ("augment", "rotate") and caught.value.problem == "must be between 0 and 180"
    assert DatasetSettings.metadata("augment.rotate")["meaning"] == "degrees either way"
    assert np.isclose(DatasetSettings.from_dict({"validation_split": 0.5}).validation_split, 0.5)
