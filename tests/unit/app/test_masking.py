"""An address outside its email is masked: recognisable to whoever knows it, and no more."""

from __future__ import annotations

import pytest

from app.masking import masked_address


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("you@example.com", "y***@e***.com"),
        ("a@b.co.uk", "a***@b***.uk"),
        ("first.last+tag@mail.example.org", "f***@m***.org"),
        ("x@localhost", "x***@l***"),
    ],
)
def test_an_address_keeps_its_first_characters_and_top_level_domain(
    address: str, masked: str
) -> None:
    assert masked_address(address) == masked


def test_the_mask_says_nothing_of_the_length() -> None:
    assert masked_address("al@example.com") == masked_address("alexandra@example.com")


@pytest.mark.parametrize("text", ["not an address", "@example.com", "you@", ""])
def test_what_is_not_an_address_is_hidden_whole(text: str) -> None:
    assert masked_address(text) == "***"
