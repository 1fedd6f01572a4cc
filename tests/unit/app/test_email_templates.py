from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from app.email import EmailAddress
from app.email_templates import header_safe, render


def test_html_part_escapes_values_and_text_part_keeps_them() -> None:
    email = render(
        "welcome", to="a@example.com", subject="Welcome", name="<script>x</script>", email="a@b.co"
    )

    assert "<script>" not in email.html
    assert "&lt;script&gt;x&lt;/script&gt;" in email.html
    assert "<script>x</script>" in email.text


def test_subject_cannot_carry_line_breaks() -> None:
    assert header_safe("Hi\r\nBcc: x@example.com") == "Hi Bcc: x@example.com"
    assert header_safe("a\u2028b\x85c") == "a b c"
    assert len(header_safe("x" * 1000)) == 200


@pytest.mark.parametrize(
    "address",
    [
        "Eve <eve@example.com>",
        "eve@localhost",
        "eve@example.com\r\n",
        " eve@example.com",
        "a,b@c.d",
    ],
)
def test_addresses_with_display_names_breaks_or_no_dot_are_refused(address: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(EmailAddress).validate_python(address)


def test_plain_address_is_normalised() -> None:
    assert TypeAdapter(EmailAddress).validate_python("Ada@EXAMPLE.com") == "Ada@example.com"
