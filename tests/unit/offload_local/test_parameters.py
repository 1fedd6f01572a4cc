"""Parameter overrides, checked against the template's constraints like CloudFormation."""

from __future__ import annotations

from typing import Any

import pytest

from offload_local.errors import ParameterError
from offload_local.template.parameters import local_values_used, resolve_parameters

DECLARED: dict[str, dict[str, Any]] = {
    "WorkerTimeout": {"Type": "Number", "Default": 30, "MinValue": 3, "MaxValue": 150},
    "Create": {"Type": "String", "Default": "true", "AllowedValues": ["true", "false"]},
    "Sender": {"Type": "String", "Default": "a@b.c", "AllowedPattern": "^[^@]+@[^@]+$"},
    "Names": {"Type": "CommaDelimitedList", "Default": "x, y"},
}


def test_defaults_become_text_and_overrides_win() -> None:
    values = resolve_parameters(DECLARED, {"WorkerTimeout": "5"})

    assert values == {
        "WorkerTimeout": "5",
        "Create": "true",
        "Sender": "a@b.c",
        "Names": ["x", "y"],
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"Nope": "1"}, "no parameter Nope"),
        ({"WorkerTimeout": "2"}, "below MinValue"),
        ({"WorkerTimeout": "151"}, "above MaxValue"),
        ({"WorkerTimeout": "ten"}, "not a number"),
        ({"Create": "yes"}, "not one of"),
        ({"Sender": "nobody"}, "does not match"),
    ],
)
def test_constraints(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        resolve_parameters(DECLARED, overrides)


def test_a_parameter_without_default_needs_a_value() -> None:
    with pytest.raises(ParameterError, match="has no default"):
        resolve_parameters({"X": {"Type": "String"}}, {})


def test_a_parameter_without_default_takes_the_local_value() -> None:
    declared = {"SenderEmail": {"Type": "String", "AllowedPattern": "^[^@]+@[^@]+$"}}

    assert resolve_parameters(declared, {}) == {"SenderEmail": "no-reply@example.com"}
    assert local_values_used(declared, {}) == {"SenderEmail": "no-reply@example.com"}
    assert resolve_parameters(declared, {"SenderEmail": "me@x.org"}) == {"SenderEmail": "me@x.org"}
    assert local_values_used(declared, {"SenderEmail": "me@x.org"}) == {}
    with pytest.raises(ParameterError, match="does not match"):
        resolve_parameters(declared, {}, local_values={"SenderEmail": "nobody"})


def test_a_default_wins_over_the_local_value() -> None:
    declared = {"SenderEmail": {"Type": "String", "Default": "ops@example.com"}}

    assert resolve_parameters(declared, {}) == {"SenderEmail": "ops@example.com"}
    assert local_values_used(declared, {}) == {}
