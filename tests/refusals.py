"""One way to make SQS refuse the API's tasks, for every test that needs it: hooks on a boto3
SQS client (offload's, tests.background.offload_clients().sqs) that make SendMessageBatch fail,
as SQS does,
either as a whole call or for some of its entries."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError


@contextmanager
def sqs_refusing(client: Any, entries: Collection[str] | None = None) -> Iterator[None]:
    """While inside, SendMessageBatch through `client` fails: every call (`entries` None, as an
    unavailable SQS answers), or only the entries with those ids (SQS takes the others and
    lists these under Failed)."""

    def before(params: dict[str, Any], **_: Any) -> None:
        if entries is None:
            raise ClientError(
                {"Error": {"Code": "ServiceUnavailable", "Message": "injected"}},
                "SendMessageBatch",
            )
        params["Entries"] = [e for e in params["Entries"] if e["Id"] not in entries]

    def after(parsed: dict[str, Any], **_: Any) -> None:
        parsed.setdefault("Failed", []).extend(
            {"Id": i, "SenderFault": False, "Code": "InternalError", "Message": "injected"}
            for i in sorted(entries or ())
        )

    events = client.meta.events
    events.register("provide-client-params.sqs.SendMessageBatch", before)
    events.register("after-call.sqs.SendMessageBatch", after)
    try:
        yield
    finally:
        events.unregister("provide-client-params.sqs.SendMessageBatch", before)
        events.unregister("after-call.sqs.SendMessageBatch", after)
