"""The operator's console in headless Chromium against the local cloud: it loads clean, follows a
task from the HTTP request to `succeeded`, and puts a dead letter back on its queue."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from offload import Envelope
from tests.browser.conftest import Opened, Stack, screenshot

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 60_000


def enqueue(stack: Stack) -> list[str]:
    """A notification over HTTP, as a client sends it: the ids of the tasks it queued."""
    token = stack.cloud.token("you@example.com")
    request = urllib.request.Request(  # noqa: S310 - the local gateway on loopback
        f"{stack.api}/send-notification/you@example.com",
        method="POST",
        headers={"authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        ids: list[str] = json.loads(response.read())["task_ids"]
    return ids


def test_the_console_loads_without_errors(stack: Stack, opened: Opened) -> None:
    page = opened.page

    page.goto(stack.console.url)

    expect(page.locator("#stack")).to_contain_text("local cloud local", timeout=TIMEOUT_MS)
    expect(page.locator('#queues tr[data-queue="local-TaskQueue"]')).to_be_visible()
    expect(page.locator('#queues tr[data-queue="local-DeadLetterQueue"] td.dlq')).to_be_visible()
    expect(page.locator('#alarms tr[data-alarm="local-DeadLetterQueueAlarm"]')).to_contain_text(
        "OK"
    )
    expect(page.locator(".chart")).to_have_count(4)
    expect(page.locator("#error")).to_be_hidden()
    assert opened.errors == []
    # Nothing from anywhere but the console itself
    assert {re.sub(r"^(http://[^/]+).*", r"\1", url) for url in opened.requests} == {
        stack.console.url
    }


def test_a_task_enqueued_over_http_appears_and_succeeds(stack: Stack, opened: Opened) -> None:
    page = opened.page
    page.goto(stack.console.url)
    task_ids = enqueue(stack)

    # Its page, opened by id, follows it to the end by itself
    page.fill("#task-id", task_ids[0])
    page.click("#task-open")
    expect(page.locator("#task-status")).to_have_text("succeeded", timeout=TIMEOUT_MS)
    expect(page.locator("ol.timeline li")).to_have_count(3)
    screenshot(opened, "console-task.png")
    # ... and the charts count it, from the worker's metrics
    page.click("#task-close")
    row = page.locator('#by-task tr[data-task="send_email"] td[data-metric="TasksSucceeded"]')
    expect(row).not_to_have_text("0", timeout=TIMEOUT_MS)
    expect(page.locator('.chart[data-title="Tasks by outcome"] path')).not_to_have_count(0)
    screenshot(opened, "console.png")
    assert opened.errors == []


def test_a_dead_letter_is_redriven_from_the_page_and_its_task_succeeds(
    stack: Stack, opened: Opened
) -> None:
    page = opened.page
    sqs = stack.sqs()
    dlq = stack.queue_url("DeadLetterQueue")
    # A task the worker dead-lettered (SES was down, say), with the attributes it puts on one,
    # and a message that is no task at all
    envelope = Envelope(task="write_log", args=["redriven from the console"])
    sqs.send_message(
        QueueUrl=dlq,
        MessageBody=envelope.to_body(),
        MessageAttributes={
            name: {"DataType": "String", "StringValue": value}
            for name, value in {
                "reason_code": "retries_exhausted",
                "reason": "RetriesExhaustedError: gave up after 5 attempts: TimeoutError",
                "failed_at": datetime.now(UTC).isoformat(),
                "task": envelope.task,
                "task_id": envelope.id,
            }.items()
        },
    )
    sqs.send_message(QueueUrl=dlq, MessageBody="{not json")

    page.goto(stack.console.url)
    letters = page.locator("#dead-letters tr[data-message-id]")
    expect(letters).to_have_count(2, timeout=TIMEOUT_MS)
    expect(page.locator("#dead-letters")).to_contain_text("retries_exhausted")
    expect(page.locator("#dead-letters")).to_contain_text(
        "not a task envelope: the body is not JSON"
    )
    screenshot(opened, "console-dead-letters.png")
    task_row = letters.filter(has_text=envelope.id)
    task_row.locator("button.redrive").click()

    expect(page.locator("#notice")).to_contain_text("1 message(s) moved to local-TaskQueue")
    expect(letters).to_have_count(1, timeout=TIMEOUT_MS)
    # The one that is no task: deleted, after the page asked
    letters.first.locator("button.delete").click()
    expect(page.locator("#notice")).to_contain_text("1 message(s) deleted")
    expect(page.locator("#dead-letters")).to_contain_text(
        "empty: nothing to act on", timeout=TIMEOUT_MS
    )
    page.goto(f"{stack.console.url}/#task/{envelope.id}")
    expect(page.locator("#task-status")).to_have_text("succeeded", timeout=TIMEOUT_MS)
    assert opened.errors == []


def test_a_redrive_sqs_refuses_is_explained_and_loses_nothing(stack: Stack, opened: Opened) -> None:
    page = opened.page
    sqs = stack.sqs()
    dlq = stack.queue_url("DeadLetterQueue")
    sqs.send_message(QueueUrl=dlq, MessageBody=Envelope(task="write_log", args=["x"]).to_body())
    page.goto(stack.console.url)
    letters = page.locator("#dead-letters tr[data-message-id]")
    expect(letters).to_have_count(1, timeout=TIMEOUT_MS)
    # The source queue refuses messages for now (as after its policy changed, say)
    task_queue = stack.queue_url("TaskQueue")
    sqs.set_queue_attributes(QueueUrl=task_queue, Attributes={"MaximumMessageSize": "1024"})
    sqs.send_message(
        QueueUrl=dlq, MessageBody=Envelope(task="write_log", args=["x" * 2000]).to_body()
    )
    expect(letters).to_have_count(2, timeout=TIMEOUT_MS)
    # The task queue's dead-letter queue (the heavy queue has one of its own)
    redrive_all = page.get_by_role("heading", name=re.compile(r"^local-DeadLetterQueue ")).locator(
        "button.redrive-all"
    )
    try:
        redrive_all.click()
        expect(page.locator("#error")).to_contain_text("SQS refused", timeout=TIMEOUT_MS)
        # and it stays there through the next refresh, which finds nothing else wrong
        refreshed = page.locator("#refreshed").text_content()
        expect(page.locator("#refreshed")).not_to_have_text(refreshed or "", timeout=TIMEOUT_MS)
        expect(page.locator("#error")).to_contain_text("Redrive failed: SQS refused")
    finally:
        sqs.set_queue_attributes(QueueUrl=task_queue, Attributes={"MaximumMessageSize": "1048576"})
    # Nothing lost: read again from the queue (the rows drawn before the click would show them
    # either way), both are still there, to redrive once the cause is fixed
    page.reload()
    expect(letters).to_have_count(2, timeout=TIMEOUT_MS)
    screenshot(opened, "console-refused.png")
    redrive_all.click()
    expect(page.locator("#dead-letters")).to_contain_text(
        "empty: nothing to act on", timeout=TIMEOUT_MS
    )
