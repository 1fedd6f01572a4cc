"""What `up` prints once everything runs: where each part answers, and commands to try."""

from __future__ import annotations

from infra.cloud import LocalCloud


def banner(cloud: LocalCloud) -> str:
    deployment = cloud.deployment
    stack = deployment.stack
    aws = cloud.aws_url
    lines = [
        "",
        f"Local cloud ready: stack {stack.name!r}, region {stack.region}, "
        f"account {stack.account_id} ({cloud.options.template})",
        "",
    ]
    for logical_id, url in cloud.api_urls.items():
        lines.append(f"  HTTP API {logical_id:<14} {url}/   (docs: {url}/docs)")
    lines.append(f"  AWS endpoint {'':<10} {aws}   (any credentials; region {stack.region})")
    for function in deployment.functions.values():
        lines.append(
            f"  function {function.logical_id:<14} {function.handler} "
            f"(timeout {function.timeout} s, {function.memory_mb} MB)"
        )
    for poller in cloud.pollers:
        mapping = poller.mapping
        flags = ", ReportBatchItemFailures" if mapping.report_batch_item_failures else ""
        lines.append(
            f"  mapping  {mapping.logical_id:<14} {mapping.queue_name} -> {mapping.function} "
            f"(batch {mapping.batch_size}, window {mapping.batching_window_seconds} s, "
            f"{poller.concurrency} pollers{flags})"
        )
    for logical_id, url in deployment.queues().items():
        lines.append(f"  queue    {logical_id:<14} {url}")
    for logical_id, table in deployment.registry.of_type("AWS::DynamoDB::Table").items():
        lines.append(f"  table    {logical_id:<14} {table.ref}")
    for logical_id, bucket in deployment.registry.of_type("AWS::S3::Bucket").items():
        lines.append(f"  bucket   {logical_id:<14} {bucket.ref}")
    if cloud.outbox is not None:
        lines.append(f"  outbox   {'':<14} {cloud.outbox.folder}/ (emails sent through SES)")
    for note in cloud.notes:
        lines.append(f"  note: {note}")
    lines += ["", "Try:"]
    api = cloud.api_url
    if api:
        # The sample application's routes: the quickest way to see a task run end to end.
        lines.append(f"  curl -X POST {api}/send-notification/you@example.com")
        lines.append(f"  curl {api}/logs")
    lines.append(
        "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
        f"AWS_DEFAULT_REGION={stack.region}   # for the aws cli below"
    )
    queues = deployment.queues()
    if queues:
        url = next(iter(queues.values()))
        lines.append(
            f"  aws --endpoint-url {aws} sqs get-queue-attributes --queue-url {url} "
            "--attribute-names All"
        )
    for table in deployment.registry.of_type("AWS::DynamoDB::Table").values():
        lines.append(f"  aws --endpoint-url {aws} dynamodb scan --table-name {table.ref}")
    lines += [
        "  python -m infra queues | dlq | redrive | outbox",
        "  python -m infra invoke WorkerFunction -e events/<event>.json",
        "",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)
