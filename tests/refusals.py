"""One way to make an AWS service refuse the app, for every test that needs it: hooks on a boto3
client (offload's for SQS, tests.background.offload_clients().sqs; the app's own for SES). SQS
refuses the API's tasks, as a whole call or for some of its entries; SES refuses an email with
the error it names."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
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


@contextmanager
def ses_refusing(client: Any, code: str, message: str) -> Iterator[None]:
    """While inside, SendEmail through `client` answers SES's error `code` with `message` (SES
    writes the addresses concerned into its messages): botocore raises the ClientError it
    would for that answer, without retrying it."""

    def answer(**_: Any) -> tuple[Any, dict[str, Any]]:
        # Returned by a before-call hook, an (HTTP response, parsed body) pair is the call's
        # answer: botocore raises for a status of 300 or more, as for one from the network.
        error = {"Error": {"Code": code, "Message": message}}
        return SimpleNamespace(status_code=400, headers={}), error

    events = client.meta.events
    events.register("before-call.sesv2.SendEmail", answer)
    try:
        yield
    finally:
        events.unregister("before-call.sesv2.SendEmail", answer)
