"""engine.validation: the one set of scalar checks, and the layer parameters and settings that use it."""

from __future__ import annotations

import pytest

from engine.data.schema import SettingsError
from engine.data.settings import DatasetSettings
from engine.errors import ParamError
from engine.layers import get_spec
from engine.training.settings import TrainingSettings
from engine.validation import (
    Invalid,
    boolean,
    choice,
    finite_number,
    in_range,
    range_words,
    whole_number,
)


@pytest.mark.parametrize("value, expected", [(3, 3), (3.0, 3), (-2, -2)])
def test_whole_numbers_are_ints(value, expected):
    assert whole_number(value) == expected and type(whole_number(value)) is int


@pytest.mark.parametrize("value", [1.5, True, "3", None, float("inf"), float("nan")])
def test_other_values_are_not_whole_numbers(value):
    with pytest.raises(Invalid) as caught:
        whole_number(value)
    assert caught.value.kind == "type" and caught.value.sentence("n") == f"'n' must be a whole number, not {value!r}"


def test_finite_numbers_booleans_and_choices():
    assert finite_number(2) == 2.0 and type(finite_number(2)) is float
    for value in (float("inf"), False, "1"):
        with pytest.raises(Invalid, match="must be a finite number"):
            finite_number(value)
    with pytest.raises(Invalid) as caught:
        boolean(1)
    assert caught.value.plain == "must be on or off (true or false)"
    with pytest.raises(Invalid) as caught:
        choice("adamm", ("sgd", "adam"))
    assert (caught.value.kind, caught.value.suggestion) == ("choice", "adam")
    assert caught.value.sentence("opt") == "'opt' must be one of sgd, adam; got 'adamm'"
    with pytest.raises(Invalid) as caught:
        choice(3, ("a",))
    assert caught.value.suggestion is None


@pytest.mark.parametrize("value, low, high, exclusive, problem", [
    (0, 0, None, True, "must be greater than 0"),
    (-1, 0, 1, False, "must be at least 0"),
    (2, 0, 1, False, "must be at most 1"),
])
def test_ranges(value, low, high, exclusive, problem):
    assert in_range(0.5, low, high, exclusive) == 0.5
    with pytest.raises(Invalid) as caught:
        in_range(value, low, high, exclusive)
    assert caught.value.problem == problem and caught.value.plain == range_words(low, high, exclusive)


def test_range_words():
    assert range_words(0, None) == "cannot be negative"
    assert range_words(0, 1) == "must be between 0 and 1"
    assert range_words(0, 1, True) == "must be greater than 0 and at most 1"
    assert range_words(None, None) == ""


def test_layer_parameters_and_settings_say_the_same_thing_the_same_way():
    with pytest.raises(ParamError) as param:
        get_spec("Dense").validate_params({"units": 1.5})
    with pytest.raises(SettingsError) as setting:
        TrainingSettings.from_dict({"epochs": 1.5})
    assert str(param.value) == "'units' must be a whole number, not 1.5"
    assert str(setting.value) == "'training.epochs' must be a whole number, not 1.5; for example training.epochs=10."


def test_a_mistyped_choice_or_name_gets_a_did_you_mean_everywhere():
    with pytest.raises(ParamError, match="got 'cross_entropyy'; did you mean 'cross_entropy'"):
        get_spec("Output").validate_params({"loss": "cross_entropyy"})
    with pytest.raises(ParamError, match=r"has no parameter 'unit' \(did you mean 'units'\? it has: "
                                         r"units, bias, per_position, init\)"):
        get_spec("Dense").validate_params({"unit": 3})
    with pytest.raises(SettingsError) as caught:
        DatasetSettings.from_dict({"source": "mnst"})
    assert str(caught.value).endswith("got 'mnst'. Did you mean 'mnist'?") and caught.value.fix == "did you mean mnist?"


def test_an_infinite_whole_number_is_refused_with_a_message_not_a_crash():
    with pytest.raises(SettingsError, match="'training.epochs' must be a whole number, not inf"):
        TrainingSettings.from_dict({"epochs": float("inf")})
    with pytest.raises(ParamError, match="'units' must be a whole number, not nan"):
        get_spec("Dense").validate_params({"units": float("nan")})
