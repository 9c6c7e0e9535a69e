"""Dataset and training settings: defaults, checks with actionable messages, dict round trips."""

import pytest

from engine.data import DatasetSettings, SettingsError
from engine.training.settings import TrainingSettings, parse_assignment


def test_defaults_and_round_trip():
    settings = DatasetSettings.from_dict({"source": "spiral", "samples": 300, "augment": {"rotate": 5}})
    assert settings.samples == 300 and settings.augment.rotate == 5.0 and settings.task == "classification"
    again = DatasetSettings.from_dict(settings.to_dict())
    assert again == settings
    assert settings.to_dict(only_changed=True) == {"source": "spiral", "samples": 300, "augment": {"rotate": 5.0}}


def test_unknown_key_names_the_key_and_suggests_the_fix():
    with pytest.raises(SettingsError, match=r"Unknown setting 'training.learning_rat'.*Did you mean"):
        TrainingSettings.from_dict({"learning_rat": 0.1})
    with pytest.raises(SettingsError, match=r"'dataset.augment.rotat'"):
        DatasetSettings.from_dict({"augment": {"rotat": 3}})


@pytest.mark.parametrize("raw, message", [
    ({"lr": -1}, r"'training.lr' must be greater than 0"),
    ({"lr": "fast"}, r"'training.lr' must be a finite number"),
    ({"epochs": 1.5}, r"'training.epochs' must be a whole number"),
    ({"optimizer": "adamm"}, r"Did you mean 'adam'"),
    ({"nesterov": True}, r"nesterov' needs optimizer sgd with momentum"),
    ({"optimizer": "adam", "momentum": 0.9}, r"momentum' applies to sgd and rmsprop"),
    ({"device": "tpu"}, r"'training.device' must be one of"),
    ({"amp": "yes"}, r"must be true or false"),
])
def test_bad_training_values_are_refused(raw, message):
    with pytest.raises(SettingsError, match=message):
        TrainingSettings.from_dict(raw)


@pytest.mark.parametrize("raw, message", [
    ({"source": "csv"}, r"needs a CSV file: set dataset.path"),
    ({"source": "torchvision"}, r"set dataset.name"),
    ({"source": "mnist", "task": "regression"}, r"has class labels"),
    ({"validation_split": 1.5}, r"at most 1"),
    ({"image_size": [3]}, r"\[height, width\]"),
])
def test_bad_dataset_values_are_refused(raw, message):
    with pytest.raises(SettingsError, match=message):
        DatasetSettings.from_dict(raw)


def test_describe_lists_every_setting_with_help():
    rows = {row["name"]: row for row in TrainingSettings.describe()}
    assert rows["optimizer"]["choices"] == ("sgd", "adam", "adamw", "rmsprop", "adagrad", "lbfgs")
    assert rows["lr"]["default"] == 0.01 and rows["lr"]["help"]
    assert all(row["help"] for row in rows.values())


def test_aliases_and_assignment_parsing():
    assert TrainingSettings.from_dict({"l2": 0.01}).weight_decay == 0.01
    assert TrainingSettings.from_dict({"schedule": "adaptive"}).schedule == "adaptive"
    assert parse_assignment("training.lr=0.5") == ("training", "lr", 0.5)
    assert parse_assignment("dataset.source=spiral") == ("dataset", "source", "spiral")
    assert parse_assignment("training.nesterov=true") == ("training", "nesterov", True)
    with pytest.raises(SettingsError, match="section.key=value"):
        parse_assignment("lr=0.5")
