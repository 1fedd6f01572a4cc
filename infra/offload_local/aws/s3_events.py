"""S3's event notifications as S3 writes them, from moto: with the object's `sequencer`.

S3 gives every event of a key a sequencer, a hexadecimal string that grows with each put, so that
a consumer can tell which of two notifications of one key is the later one (they may arrive in
any order): https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html.
moto's records have the object's key, size and ETag but no sequencer, and the worker needs it to
keep a file's record on the newest object under its key.

moto builds each record in one function, `moto.s3.notifications._get_s3_event`, with no
documented way to change what it writes: `install()` wraps that function, in the process moto
runs in (the local cloud's moto server, or the tests' in-process moto). The sequencer is made
from the object's creation time in microseconds: the same for every notification of one put,
greater for a later put of the key, 18 hexadecimal digits as S3's own are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

#: Marks the wrapper, so that installing twice wraps once.
_INSTALLED = "_offload_local_sequencer"


def sequencer(created: datetime) -> str:
    """S3's form of a sequencer for an object created at `created` (moto's naive UTC time)."""
    moment = created if created.tzinfo else created.replace(tzinfo=UTC)
    return f"{int(moment.timestamp() * 1_000_000):018X}"


def install() -> None:
    """Give every S3 event record moto writes from now on, in this process, a sequencer."""
    from moto.s3 import notifications

    original: Callable[..., dict[str, Any]] = notifications._get_s3_event
    if getattr(original, _INSTALLED, False):
        return

    def with_sequencer(event_name: str, bucket: Any, key: Any, notification_id: str) -> Any:
        event = original(event_name, bucket, key, notification_id)
        for record in event["Records"]:
            record["s3"]["object"]["sequencer"] = sequencer(key.last_modified)
        return event

    setattr(with_sequencer, _INSTALLED, True)
    notifications._get_s3_event = with_sequencer
