"""The codes an authenticator app shows for a Cognito software token (TOTP, RFC 6238).

Cognito's AssociateSoftwareToken gives the secret as base32 text, often without its padding;
the app derives a 6-digit code from it every 30 seconds with HMAC-SHA1. The local cloud plays
the app for the admins it signs in.
"""

from __future__ import annotations

import base64
import time

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP_SECONDS = 30


def totp_code(secret: str, at: float | None = None) -> str:
    """The code for `secret` at a time (now by default)."""
    padded = secret + "=" * (-len(secret) % 8)
    key = base64.b32decode(padded, casefold=True)
    # HMAC-SHA1 is what RFC 6238 and every authenticator app use (not a digest of secrets);
    # Cognito's secrets are shorter than the 128 bits the library asks of a key by default.
    totp = TOTP(key, DIGITS, SHA1(), STEP_SECONDS, enforce_key_length=False)  # noqa: S303
    return totp.generate(time.time() if at is None else at).decode()
