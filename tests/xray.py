"""X-Ray as the tests see it: a recorder of the X-Ray SDK whose segments, instead of going to a
daemon, are kept as the JSON the daemon would have received."""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aws_xray_sdk.core.recorder import AWSXRayRecorder


class CapturedEntities:
    """An X-Ray emitter that keeps what would go to the daemon."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_entity(self, entity: Any) -> None:
        self.sent.append(json.loads(entity.serialize()))

    def set_daemon_address(self, address: str | None) -> None:
        return None

    @property
    def ip(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return 2000


def captured_recorder() -> tuple[AWSXRayRecorder, CapturedEntities]:
    """A recorder that samples everything, and where its segments go."""
    from aws_xray_sdk.core import xray_recorder
    from aws_xray_sdk.core.recorder import AWSXRayRecorder

    recorder = AWSXRayRecorder()
    # The daemon's UDP sockets the SDK opens (its global recorder's too) are never used here.
    for unused in (recorder, xray_recorder):
        unused.emitter._socket.close()
    emitter = CapturedEntities()
    recorder.configure(emitter=emitter, sampling=False, context_missing="LOG_ERROR")
    return recorder, emitter


def tracing_on(monkeypatch: pytest.MonkeyPatch) -> tuple[AWSXRayRecorder, CapturedEntities]:
    """Tracing as on Lambda, for the rest of the test: offload's tracer (offload.tracing) is a
    Powertools Tracer recording with a captured recorder. Returns the recorder (a test begins
    and ends the invocation's segment, as Lambda does) and where its segments go."""
    from aws_lambda_powertools import Tracer

    recorder, emitter = captured_recorder()
    # Powertools keeps a Tracer's configuration on the class, shared by every instance: this
    # test's goes with it.
    monkeypatch.setattr(Tracer, "_config", copy.copy(Tracer._config))
    tracer = Tracer(service="traced", disabled=False, auto_patch=False, provider=recorder)
    monkeypatch.setattr("offload.tracing.tracer", lambda: tracer)
    # Powertools' own default, whatever the machine says
    monkeypatch.delenv("POWERTOOLS_TRACER_CAPTURE_RESPONSE", raising=False)
    return recorder, emitter
