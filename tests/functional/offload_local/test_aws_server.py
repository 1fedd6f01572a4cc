"""moto's server in a process of its own: loopback only, reset over HTTP, and never left behind,
however the process that started it ends."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.server import MotoServer
from tests.functional.offload_local.conftest import eventually

ROOT = Path(__file__).resolve().parents[3]


def alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on the port (Linux /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_the_server_listens_on_loopback_only_and_goes_with_stop() -> None:
    server = MotoServer(port=0)
    server.start()
    pid = server.pid
    assert pid is not None
    try:
        assert pid != os.getpid()
        # 127.0.0.1, as /proc/net/tcp writes it
        assert listening_addresses(server.port) == {"0100007F"}
        sqs = AwsEndpoint(server.url, "us-east-1").client("sqs")
        assert sqs.create_queue(QueueName="q")["QueueUrl"].endswith("/q")
    finally:
        server.stop()

    assert not alive(pid)


def test_reset_forgets_every_resource(moto_server: MotoServer) -> None:
    sqs = AwsEndpoint(moto_server.url, "us-east-1").client("sqs")
    sqs.create_queue(QueueName="kept-until-reset")

    moto_server.reset()

    assert sqs.list_queues().get("QueueUrls", []) == []


def test_notifications_of_one_key_carry_a_sequencer_that_grows_with_each_put(
    aws: AwsEndpoint,
) -> None:
    # Given a bucket whose ObjectCreated events go to a queue
    sqs, s3 = aws.client("sqs"), aws.client("s3")
    url = sqs.create_queue(QueueName="events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    s3.create_bucket(Bucket="bucket")
    s3.put_bucket_notification_configuration(
        Bucket="bucket",
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn["QueueArn"], "Events": ["s3:ObjectCreated:*"]}]
        },
    )

    # When one key is put twice
    s3.put_object(Bucket="bucket", Key="k", Body=b"first")
    s3.put_object(Bucket="bucket", Key="k", Body=b"second")

    def objects() -> list[dict[str, Any]] | None:
        """both ObjectCreated records on the queue"""
        found = [
            record["s3"]["object"]
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            for record in json.loads(message["Body"]).get("Records", [])
        ]
        return found if len(found) == 2 else None

    # Then each record has a sequencer as S3 writes them, the later put's the greater
    sequencers = {o["size"]: o["sequencer"] for o in eventually(objects)}
    earlier, later = sequencers[len(b"first")], sequencers[len(b"second")]
    assert re.fullmatch("[0-9A-F]{18}", earlier)
    assert re.fullmatch("[0-9A-F]{18}", later)
    assert later > earlier


# A process that starts the server, says its pid, and waits to be ended. Ctrl-C interrupts it as
# it would in a terminal, even when the tests were started by a shell that runs background jobs
# with SIGINT ignored (a disposition every process it starts inherits).
_PARENT = textwrap.dedent(
    """
    import signal, sys, time
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from offload_local.aws.server import MotoServer
    server = MotoServer(port=0)
    server.start()
    print(server.pid, flush=True)
    time.sleep(600)
    """
)


@pytest.mark.parametrize("ending", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_the_server_dies_with_the_process_that_started_it(ending: signal.Signals) -> None:
    with subprocess.Popen(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", _PARENT],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT / "infra")},
        # Its own process group, as a terminal's foreground job is: Ctrl-C reaches the group.
        start_new_session=True,
    ) as parent:
        try:
            assert parent.stdout is not None
            server_pid = int(parent.stdout.readline())
            assert alive(server_pid)

            os.killpg(parent.pid, ending)
            parent.wait(timeout=30)

            eventually(lambda: not alive(server_pid) or None, timeout=20)
        finally:
            if parent.poll() is None:
                parent.kill()
