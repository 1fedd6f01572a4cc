"""One user cannot starve the rest, over real HTTP through the local cloud: a user who floods a
write route is refused with 429 and Retry-After, having created nothing more, while another
user's request at the same moment goes through; past a daily quota of datasets or items, 429."""

from __future__ import annotations

import uuid

import pytest

from tests.security.conftest import (
    DATASETS_PER_DAY,
    ITEMS_PER_DAY,
    WRITE_BURST,
    WRITE_WINDOW_SECONDS,
    Stack,
)
from tests.security.http import call

pytestmark = pytest.mark.e2e

DATASET = [{"city": "Lyon", "temp": 12.5}]
#: A presigned upload of one byte: the daily byte quota is nowhere near, the rate is.
UPLOAD = {"filename": "a.png", "content_type": "image/png", "size": 1}


def address() -> str:
    return f"f-{uuid.uuid4().hex[:10]}@example.com"


def files(stack: Stack) -> int:
    table = str(stack.cloud.deployment.outputs["DataTableName"])
    dynamodb = stack.cloud.deployment.aws.client("dynamodb")
    return sum(
        1
        for page in dynamodb.get_paginator("scan").paginate(TableName=table)
        for item in page["Items"]
        if item["pk"]["S"].startswith("FILE#")
    )


def test_a_user_flooding_a_write_route_is_refused_and_another_is_not(stack: Stack) -> None:
    flooder, other = stack.token(address()), stack.token(address())
    before = files(stack)

    # As fast as one client can: within two windows' bursts, the limit answers
    answers = []
    for _ in range(2 * WRITE_BURST + 1):
        answers.append(call(f"{stack.api}/uploads", "POST", UPLOAD, flooder))
        if answers[-1][0] == 429:
            break
    status, body, headers = answers[-1]
    # ...and at that moment, another user
    theirs, accepted, _ = call(f"{stack.api}/uploads", "POST", UPLOAD, other)

    assert status == 429, [a[:2] for a in answers]
    assert body == {
        "detail": f"Limit of {WRITE_BURST} writes per {WRITE_WINDOW_SECONDS} s reached."
    }
    assert 0 < int(headers["retry-after"]) <= WRITE_WINDOW_SECONDS
    let_through = [a for a in answers if a[0] == 201]
    assert len(let_through) == len(answers) - 1 <= 2 * WRITE_BURST
    assert (theirs, accepted["status"]) == (201, "awaiting_upload")
    # The refused request created nothing
    assert files(stack) == before + len(let_through) + 1


@pytest.mark.usefixtures("within_one_utc_day")
@pytest.mark.parametrize(
    ("path", "body", "limit", "what"),
    [
        ("/process", DATASET, DATASETS_PER_DAY, "datasets"),
        ("/items", {"name": "teapot"}, ITEMS_PER_DAY, "items"),
    ],
    ids=["datasets", "items"],
)
def test_each_user_has_a_daily_quota_of_what_they_create(
    stack: Stack, path: str, body: object, limit: int, what: str
) -> None:
    token = stack.token(address())
    for _ in range(limit):
        assert call(f"{stack.api}{path}", "POST", body, token)[0] in (201, 202)

    status, answer, headers = call(f"{stack.api}{path}", "POST", body, token)

    assert (status, answer) == (429, {"detail": f"Daily limit of {limit} {what} reached."})
    assert 0 < int(headers["retry-after"]) <= 86_400
    assert call(f"{stack.api}{path}", "POST", body, stack.token(address()))[0] in (201, 202)
