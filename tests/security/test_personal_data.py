"""Personal data over real HTTP through the local cloud: a caller whose `sub` carries the key
separator `#` reaches no one else's search entries, and the notification log names a recipient
only masked."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from tests.polling import wait_for
from tests.security.conftest import Stack
from tests.security.http import call

pytestmark = pytest.mark.e2e


def address() -> str:
    return f"p-{uuid.uuid4().hex[:10]}@example.com"


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return decoded


def search(stack: Stack, token: str, word: str) -> set[str]:
    status, found, _ = call(f"{stack.api}/search?q={word}", token=token)
    assert status == 200, found
    return {item["name"] for item in found["items"]}


def test_a_sub_with_the_key_separator_finds_only_its_own_items(stack: Stack) -> None:
    # Given Alice, and a caller of another issuer's making whose `sub` is Alice's followed by
    # the index's separator (the authorizer vouches for it: it is signed with the pool's key)
    alice = stack.token(address())
    word = f"teapot{uuid.uuid4().hex[:6]}"
    mallory = stack.forged(sub=f"{claims(alice)['sub']}#ITEM#x", email=address())
    for token, name in ((alice, f"alice {word}"), (mallory, f"mallory {word}")):
        status, created, _ = call(f"{stack.api}/items", "POST", {"name": name}, token)
        assert status == 201, created

    # When both are in the search index (the worker indexes an item once it is created)
    wait_for(
        "both items indexed", lambda: search(stack, alice, word) and search(stack, mallory, word)
    )

    # Then each finds their own, and only their own
    assert search(stack, alice, word) == {f"alice {word}"}
    assert search(stack, mallory, word) == {f"mallory {word}"}


def test_the_notification_log_names_a_recipient_masked(stack: Stack) -> None:
    me = address()
    status, accepted, _ = call(f"{stack.api}/send-notification/{me}", "POST", token=stack.token(me))
    assert status == 202, accepted
    admin = stack.token("admin@example.com", admin=True)

    def logged() -> list[str]:
        _, entries, _ = call(f"{stack.api}/logs", token=admin)
        return [e["message"] for e in entries if me[:1] in e["message"]]

    wait_for("the notification logged", lambda: any("***" in m for m in logged()))
    masked = f"{me[0]}***@e***.com"
    assert f"notification sent to {masked}" in logged()
    assert not [m for m in logged() if me in m]
