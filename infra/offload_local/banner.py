"""What `up` prints once everything runs: where each part answers, and commands to try."""

from __future__ import annotations

from offload_local.cloud import LocalCloud
from offload_local.identity.users import DEMO_USERS, demo_users
from offload_local.provision.deployment import HttpApi


def banner(cloud: LocalCloud, console_url: str | None = None) -> str:
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
        lines.extend(_api_details(deployment.http_apis[logical_id]))
    if console_url is not None:
        lines.append(
            f"  console  {'':<14} {console_url}/   (tasks, queues, failures, dead letters, alarms)"
        )
    pool = cloud.user_pool
    if pool is not None:
        users = ", ".join(
            f"{email} ({pool.admin_group})" if admin else email for email, admin in demo_users(pool)
        )
        lines.append(f"  users    {'':<14} {users} in user pool {pool.pool_id}")
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
    lines += [f"  note: {note}" for note in grouped(cloud.notes)]
    lines += ["", "Try:"]
    bearer = ""
    if pool is not None and cloud.api_url:
        bearer = '-H "Authorization: Bearer $TOKEN" '
        lines.append(f"  export TOKEN={cloud.token(DEMO_USERS[0][0])}")
    for logical_id, url in cloud.api_urls.items():
        lines += [f"  {line}" for line in _calls(deployment.http_apis[logical_id], url, bearer)]
    if pool is not None and cloud.api_url:
        lines.append(
            "  offload-local token EMAIL [--admin]   "
            "# a token for another user; tokens last one hour"
        )
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
        "  offload-local queues | dlq | redrive | outbox",
        "  offload-local console --stack <stack-name>   # a deployed stack's console",
    ]
    if deployment.functions:
        lines.append(f"  offload-local invoke {_invoke_example(cloud)}")
    lines += ["", "Ctrl-C stops everything.", ""]
    return "\n".join(lines)


#: Routes the banner shows a call of, at most, per API.
SHOWN_ROUTES = 8


def _calls(api: HttpApi, url: str, bearer: str) -> list[str]:
    """A curl command for each of the API's routes, as its template declares them: path
    parameters left for the developer to fill in, a greedy one as <path>."""
    calls = []
    for route in api.routes:
        if route.path == "$default":
            continue
        path = route.path.replace("{proxy+}", "<path>")
        method = "" if route.method in ("GET", "ANY") else f"-X {route.method} "
        calls.append(f"curl {method}{bearer if route.authorizer else ''}{url}{path}")
    return calls[:SHOWN_ROUTES]


def _invoke_example(cloud: LocalCloud) -> str:
    """`invoke` of a worker (a function an SQS queue feeds), with an event file: one of the
    project's sample events when it keeps them in events/, as SAM projects do."""
    deployment = cloud.deployment
    workers = [mapping.function for mapping in deployment.event_source_mappings.values()]
    function = (
        deployment.function(workers[0]) if workers else next(iter(deployment.functions.values()))
    )
    events = cloud.options.template.resolve().parent / "events"
    samples = sorted(events.glob("*.json")) if events.is_dir() else []
    event = f"events/{samples[0].name}" if samples else "event.json"
    return f"{function.logical_id} -e {event}"


def _api_details(api: HttpApi) -> list[str]:
    """Who may call the API's routes, and how often."""
    lines = []
    public = sorted(route.key for route in api.routes if route.authorizer is None)
    for name, authorizer in api.authorizers.items():
        lines.append(
            f"  {'':<23} JWT authorizer {name}: issuer {authorizer.issuer}; public: "
            f"{', '.join(public) or 'none'}"
        )
    if api.default_throttle is not None:
        limits = api.default_throttle
        lines.append(
            f"  {'':<23} throttled: {limits.rate_limit:g}/s, burst {limits.burst_limit} a route"
        )
    for key, limits in api.route_throttles.items():
        lines.append(f"  {'':<25} {key}: {limits.rate_limit:g}/s, burst {limits.burst_limit}")
    return lines


def grouped(notes: list[str]) -> list[str]:
    """Notes that say the same of several resources ("X: recorded only: ...") as one line."""
    by_text: dict[str, list[str]] = {}
    for note in notes:
        subject, separator, text = note.partition(": ")
        key = text if separator else note
        by_text.setdefault(key, []).append(subject if separator else "")
    lines = []
    for text, subjects in by_text.items():
        named = [s for s in subjects if s]
        if not named:
            lines.append(text)
        elif len(named) <= 2:
            lines.append(f"{', '.join(named)}: {text}")
        else:
            lines.append(f"{named[0]} and {len(named) - 1} more: {text}")
    return lines
