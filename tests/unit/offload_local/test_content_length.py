"""A request body's length from its Content-Length headers, or a clear error when they give no
single length in bytes (RFC 9112, section 6.3)."""

from __future__ import annotations

import pytest

from offload_local.content_length import ContentLengthError, content_length


@pytest.mark.parametrize(
    ("values", "length"),
    [
        (None, 0),
        ([], 0),
        (["0"], 0),
        (["42"], 42),
        (["42", "42"], 42),  # the header twice, the same number
        (["42, 42"], 42),  # a list of the same number
        ([" 7 "], 7),
    ],
)
def test_one_length(values: list[str] | None, length: int) -> None:
    assert content_length(values) == length


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (["ten"], "Content-Length 'ten' is not a length in bytes"),
        (["-1"], "Content-Length '-1' is not a length in bytes"),
        (["+5"], "Content-Length '+5' is not a length in bytes"),
        (["1_000"], "Content-Length '1_000' is not a length in bytes"),
        (["0x10"], "Content-Length '0x10' is not a length in bytes"),
        (["١٢"], "Content-Length '١٢' is not a length in bytes"),  # digits, but not ASCII ones
        ([""], "Content-Length '' is not a length in bytes"),
        (["5", "6"], "Content-Length gives several lengths: 5, 6"),
        (["5, 6"], "Content-Length gives several lengths: 5, 6"),
    ],
)
def test_anything_else_is_an_error(values: list[str], reason: str) -> None:
    with pytest.raises(ContentLengthError) as raised:
        content_length(values)

    assert str(raised.value) == reason
