"""HTTP API route selection, as API Gateway does it for payload 2.0 APIs.

API Gateway picks the most specific match: a route whose path matches fully without variables,
then one with path variables, then one with a greedy variable ({proxy+}), then `$default`; for a
path, a route with the exact method wins over ANY.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from offload_local.provision.deployment import Route

_VARIABLE = re.compile(r"\{([^}/]+?)(\+?)\}")


@dataclass(frozen=True)
class Match:
    """The chosen route and the path parameters it captured."""

    route: Route
    path_parameters: dict[str, str]


def select_route(routes: Sequence[Route], method: str, path: str) -> Match | None:
    """The route serving `method path` (path as received, still percent-encoded), if any."""
    candidates: list[tuple[tuple[int, int, int], Match]] = []
    for route in routes:
        if route.path == "$default":
            candidates.append(((3, 0, 1), Match(route, {})))
            continue
        if route.method not in ("ANY", method.upper()):
            continue
        parameters = _match(route.path, path)
        if parameters is None:
            continue
        kind = 0 if "{" not in route.path else 2 if "+}" in route.path else 1
        literal = -len(_VARIABLE.sub("", route.path))
        candidates.append(((kind, literal, route.method == "ANY"), Match(route, parameters)))
    if not candidates:
        return None
    return min(candidates, key=lambda candidate: candidate[0])[1]


def _match(template: str, path: str) -> dict[str, str] | None:
    pattern = ""
    position = 0
    names = []
    for variable in _VARIABLE.finditer(template):
        pattern += re.escape(template[position : variable.start()])
        name, greedy = variable.group(1), variable.group(2)
        names.append(name)
        pattern += f"(?P<v{len(names) - 1}>.+)" if greedy else f"(?P<v{len(names) - 1}>[^/]+)"
        position = variable.end()
    pattern += re.escape(template[position:])
    found = re.fullmatch(pattern, path)
    if found is None:
        return None
    return {name: unquote(found.group(f"v{i}")) for i, name in enumerate(names)}
