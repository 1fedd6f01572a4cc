"""Which requests a local server answers: those naming it as their host, from no other web site
(the decision the gateway, the console, moto's endpoint and the `sam local` services share)."""

from __future__ import annotations

import pytest

from offload_local.host_check import ANOTHER_SITE, CROSS_ORIGIN, UNKNOWN_HOST, HostCheck

LOOPBACK = HostCheck.serving("127.0.0.1", 3000)


@pytest.mark.parametrize("host", ["127.0.0.1:3000", "localhost:3000", "LocalHost:3000"])
def test_a_tool_naming_the_server_is_answered(host: str) -> None:
    assert LOOPBACK.refusal(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:3000",  # DNS rebinding: the site's own name, resolving to 127.0.0.1
        "attacker.example",
        "127.0.0.1:4566",  # another server's port
        "127.0.0.1",
        "localhost.attacker.example:3000",
        "",
        None,
    ],
)
def test_any_other_host_is_misdirected(host: str | None) -> None:
    assert LOOPBACK.refusal(host) == UNKNOWN_HOST
    assert UNKNOWN_HOST.status == 421


def test_a_server_on_another_address_answers_that_address_only() -> None:
    bridge = HostCheck.serving("172.17.0.1", 41000)

    assert bridge.refusal("172.17.0.1:41000") is None
    assert bridge.refusal("localhost:41000") == UNKNOWN_HOST
    assert bridge.refusal("127.0.0.1:41000") == UNKNOWN_HOST


def test_the_servers_own_origin_is_answered() -> None:
    assert LOOPBACK.refusal("127.0.0.1:3000", "http://127.0.0.1:3000") is None
    assert LOOPBACK.refusal("localhost:3000", "http://localhost:3000") is None


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",  # a sandboxed frame, a file, a redirect
        "https://127.0.0.1:3000",
        "http://127.0.0.1:3100",  # another local server's page
        "http://localhost:3000",  # the other name: another origin for the browser
        "",
    ],
)
def test_a_request_from_another_origin_is_forbidden(origin: str) -> None:
    assert LOOPBACK.refusal("127.0.0.1:3000", origin) == CROSS_ORIGIN
    assert CROSS_ORIGIN.status == 403


@pytest.mark.parametrize(
    ("site", "answered"),
    [
        ("same-origin", True),
        ("none", True),
        ("cross-site", False),
        ("same-site", False),
        ("Cross-Site", False),
    ],
)
def test_a_request_a_browser_says_another_site_sent_is_forbidden(site: str, answered: bool) -> None:
    # An <img> or a link elsewhere sends a GET without Origin; Sec-Fetch-Site still says so.
    refusal = LOOPBACK.refusal("127.0.0.1:3000", None, site)

    assert refusal == (None if answered else ANOTHER_SITE)


def test_an_admitted_address_is_answered_until_withdrawn() -> None:
    check = HostCheck.serving("127.0.0.1", 4566)

    check.admit("172.17.0.1:41000")
    assert check.refusal("172.17.0.1:41000") is None
    assert check.refusal("172.17.0.1:41000", "http://172.17.0.1:41000") is None
    check.withdraw("172.17.0.1:41000")
    assert check.refusal("172.17.0.1:41000") == UNKNOWN_HOST
    check.admit("[fd00::1]:41000")
    assert check.refusal("[fd00::1]:41000") is None


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:41000",
        "localhost:41000",
        "172.17.0.1",
        "172.17.0.1:port",
        "fd00::1:41000",  # not as a Host header writes an IPv6 address
        "[172.17.0.1]:41000",
        "",
    ],
)
def test_only_an_ip_address_and_port_can_be_admitted(host: str) -> None:
    check = HostCheck.serving("127.0.0.1", 4566)

    with pytest.raises(ValueError, match="is not an IP address and port"):
        check.admit(host)

    assert check.refusal(host) == UNKNOWN_HOST
