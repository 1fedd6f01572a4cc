"""The authenticator's codes are RFC 6238's (SHA-1, 6 digits, 30-second steps), from a secret
given as Cognito gives it: base32, without padding, in either case."""

from __future__ import annotations

import base64

import pytest

from offload_local.identity.totp import totp_code

# RFC 6238, Appendix B: the SHA-1 seed, and the last 6 of its 8-digit codes.
SEED = b"12345678901234567890"


@pytest.mark.parametrize(
    ("at", "code"),
    [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924")],
)
def test_codes_are_rfc_6238s(at: int, code: str) -> None:
    secret = base64.b32encode(SEED).decode()

    assert totp_code(secret, at) == code


def test_a_secret_without_padding_in_lower_case_gives_the_same_code() -> None:
    secret = base64.b32encode(SEED).decode()

    assert totp_code(secret.rstrip("=").lower(), 59) == totp_code(secret, 59)


def test_one_code_lasts_one_30_second_step() -> None:
    secret = base64.b32encode(SEED).decode()

    assert totp_code(secret, 60) == totp_code(secret, 89)
    assert totp_code(secret, 89) != totp_code(secret, 90)
