"""Which HTTP requests a local server answers: those naming it, sent by no other web site.

The local cloud's servers listen on loopback (or, for `sam local` containers, on the Docker
bridge's private address), so only this machine reaches them; but a web page open in the
developer's browser runs on this machine too, and none of these servers asks for credentials.
Three headers keep such a page out, whichever server it aims at:

- Host must name the server as it is addressed (127.0.0.1:PORT or localhost:PORT): a site whose
  own name resolves to 127.0.0.1 (DNS rebinding) sends that name, never these.
- Origin, which a browser adds to every cross-origin request that can change something and to
  every CORS preflight, must be absent or the server's own.
- Sec-Fetch-Site, which browsers add to every request, must not say that another site sent it:
  that covers the simple cross-site GETs (an image, a link) that carry no Origin.

No server grants CORS either: nothing answers with Access-Control-Allow-Origin, so a page
elsewhere can neither read an answer nor get past a preflight. Tools (boto3, curl, the tests)
send the Host of the URL they were given and neither of the other two headers.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus

#: What Sec-Fetch-Site says when the request comes from a page of another origin.
_ANOTHER_SITE = frozenset({"cross-site", "same-site"})


@dataclass(frozen=True)
class Refusal:
    """Why a request is not answered, and the status that says so."""

    status: HTTPStatus
    reason: str


UNKNOWN_HOST = Refusal(HTTPStatus.MISDIRECTED_REQUEST, "unknown host")
CROSS_ORIGIN = Refusal(HTTPStatus.FORBIDDEN, "cross-origin request refused")
ANOTHER_SITE = Refusal(HTTPStatus.FORBIDDEN, "request sent by another site refused")


class HostCheck:
    """The Host values a server answers to, and the decision for each request.

    Thread-safe: a server adds the address of a relay in front of it while serving.
    """

    def __init__(self, hosts: Iterable[str]) -> None:
        self._hosts = {host.lower() for host in hosts}
        self._lock = threading.Lock()

    @classmethod
    def serving(cls, host: str, port: int) -> HostCheck:
        """The names of a server listening on host:port: that address, and `localhost` too when
        it is the loopback one."""
        names = [f"{host}:{port}"]
        if ipaddress.ip_address(host).is_loopback:
            names.append(f"localhost:{port}")
        return cls(names)

    def __contains__(self, host: str) -> bool:
        with self._lock:
            return host.lower() in self._hosts

    def admit(self, host: str) -> None:
        """Answer requests naming `host` (address:port) too. Only an IP address is admitted:
        a name could be one that a site makes resolve here."""
        address, _, port = host.rpartition(":")
        bracketed = address.startswith("[") and address.endswith("]")
        try:
            # As a Host header writes them: 172.17.0.1:41000, [fd00::1]:41000
            version = ipaddress.ip_address(address[1:-1] if bracketed else address).version
        except ValueError:
            version = None
        if version != (6 if bracketed else 4) or not (port.isascii() and port.isdigit()):
            raise ValueError(f"{host!r} is not an IP address and port")
        with self._lock:
            self._hosts.add(host.lower())

    def withdraw(self, host: str) -> None:
        with self._lock:
            self._hosts.discard(host.lower())

    def refusal(
        self, host: str | None, origin: str | None = None, fetch_site: str | None = None
    ) -> Refusal | None:
        """Why a request with these Host, Origin and Sec-Fetch-Site headers is refused; None
        when it is answered."""
        if host is None or host not in self:
            return UNKNOWN_HOST
        if origin is not None and origin.lower() != f"http://{host.lower()}":
            return CROSS_ORIGIN
        if fetch_site is not None and fetch_site.lower() in _ANOTHER_SITE:
            return ANOTHER_SITE
        return None
