"""The parts of an offload deployment in a template, found by the library's contract.

- a worker: a Lambda function fed by an SQS event source (an AWS::Lambda::EventSourceMapping,
  or a SAM function's `SQS` event) whose environment has one of WORKER_VARIABLES;
- its task queue: the event source's queue, whose RedrivePolicy names its dead-letter queue;
- a producer: a function whose environment names a task queue (OFFLOAD_QUEUE_URL, or
  OFFLOAD_<NAME>_QUEUE_URL) by a Ref to it; its table: OFFLOAD_TABLE_NAME.

cfn-lint (1.54 and later) lints a SAM template as written, its Globals merged into each
resource, not SAM's translation: a SAM function's SQS event and Policies are read as such. Plain
CloudFormation (an event source mapping, an IAM role) is read too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

SAM_FUNCTION = "AWS::Serverless::Function"
FUNCTION_TYPES = ("AWS::Lambda::Function", SAM_FUNCTION)
QUEUE_TYPE = "AWS::SQS::Queue"
TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
#: What an event source mapping may name instead of the function itself.
FUNCTION_ALIASES = ("AWS::Lambda::Alias", "AWS::Lambda::Version")

MAX_ATTEMPTS = "OFFLOAD_MAX_ATTEMPTS"
DEAD_LETTER_QUEUE_URL = "OFFLOAD_DEAD_LETTER_QUEUE_URL"
TABLE_NAME = "OFFLOAD_TABLE_NAME"
WORKER_VARIABLES = (DEAD_LETTER_QUEUE_URL, MAX_ATTEMPTS, TABLE_NAME)
#: The task queues a producer may send to: the default one and each named one.
TASK_QUEUE_URL = re.compile(r"OFFLOAD_(?:[A-Z0-9_]+_)?QUEUE_URL")

#: Defaults of the services when a template leaves a property out.
LAMBDA_DEFAULT_TIMEOUT = 3
SQS_DEFAULT_VISIBILITY_TIMEOUT = 30
SQS_DEFAULT_RETENTION = 345_600  # 4 days

Path = list[str | int]


def referenced(value: Any) -> str | None:
    """The logical id a Ref or a Fn::GetAtt names, else None."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return None
    ((function, argument),) = value.items()
    if function == "Ref" and isinstance(argument, str):
        return argument
    if function == "Fn::GetAtt":
        if isinstance(argument, str):
            return argument.split(".", 1)[0]
        if isinstance(argument, list) and argument and isinstance(argument[0], str):
            return argument[0]
    return None


@dataclass(frozen=True)
class Function:
    """A Lambda function of the template, SAM's or CloudFormation's."""

    logical_id: str
    type: str
    properties: Mapping[str, Any]

    @property
    def variables(self) -> Mapping[str, Any]:
        environment = self.properties.get("Environment")
        variables = environment.get("Variables") if isinstance(environment, Mapping) else None
        return variables if isinstance(variables, Mapping) else {}

    @property
    def timeout(self) -> Any:
        return self.properties.get("Timeout", LAMBDA_DEFAULT_TIMEOUT)

    def path(self, *keys: str | int) -> Path:
        return ["Resources", self.logical_id, "Properties", *keys]

    def variable_path(self, name: str) -> Path:
        if name in self.variables:
            return self.path("Environment", "Variables", name)
        return self.path()

    @property
    def role_path(self) -> Path:
        """Where the function's permissions are declared: its Role, else SAM's Policies."""
        for name in ("Role", "Policies"):
            if name in self.properties:
                return self.path(name)
        return self.path()


@dataclass(frozen=True)
class Queue:
    """An SQS queue of the template."""

    logical_id: str
    properties: Mapping[str, Any]

    @property
    def redrive_policy(self) -> Mapping[str, Any] | None:
        policy = self.properties.get("RedrivePolicy")
        if isinstance(policy, str):
            # CloudFormation takes the policy as an object or as its JSON text.
            try:
                policy = json.loads(policy)
            except ValueError:
                return None
        return policy if isinstance(policy, Mapping) else None

    @property
    def dead_letter_queue(self) -> str | None:
        """The logical id of the queue the RedrivePolicy names, when it is in the template."""
        policy = self.redrive_policy
        return referenced(policy.get("deadLetterTargetArn")) if policy else None

    @property
    def visibility_timeout(self) -> Any:
        return self.properties.get("VisibilityTimeout", SQS_DEFAULT_VISIBILITY_TIMEOUT)

    @property
    def retention(self) -> Any:
        return self.properties.get("MessageRetentionPeriod", SQS_DEFAULT_RETENTION)

    def path(self, *keys: str | int) -> Path:
        return ["Resources", self.logical_id, "Properties", *keys]

    def property_path(self, name: str) -> Path:
        return self.path(name) if name in self.properties else self.path()


@dataclass(frozen=True)
class EventSource:
    """One SQS event source of a function: where it is declared and what it says."""

    name: str
    path: Path
    properties: Mapping[str, Any]
    queue: Queue | None

    def property_path(self, name: str) -> Path:
        return [*self.path, name] if name in self.properties else self.path


@dataclass(frozen=True)
class Worker:
    """A function that runs tasks from a task queue."""

    function: Function
    source: EventSource

    @property
    def queue(self) -> Queue | None:
        return self.source.queue


@dataclass(frozen=True)
class Producer:
    """A function that sends tasks: the task queues it names, and the table of their rows."""

    function: Function
    queues: Mapping[str, Queue]
    table: str | None


class Wiring:
    """The workers and producers of one template's resources."""

    def __init__(self, resources: Mapping[str, Any]) -> None:
        self.resources = {
            name: resource
            for name, resource in resources.items()
            if isinstance(resource, Mapping) and isinstance(resource.get("Type"), str)
        }

    def type_of(self, logical_id: str | None) -> str | None:
        resource = self.resources.get(logical_id or "")
        return str(resource["Type"]) if resource is not None else None

    def properties(self, logical_id: str) -> Mapping[str, Any]:
        properties = self.resources[logical_id].get("Properties")
        return properties if isinstance(properties, Mapping) else {}

    def queue(self, value: Any) -> Queue | None:
        """The template's queue a value (a Ref, a Fn::GetAtt, a logical id) names."""
        logical_id = value if isinstance(value, str) else referenced(value)
        if self.type_of(logical_id) != QUEUE_TYPE or logical_id is None:
            return None
        return Queue(logical_id, self.properties(logical_id))

    def table(self, value: Any) -> str | None:
        logical_id = referenced(value)
        return logical_id if self.type_of(logical_id) in TABLE_TYPES else None

    def functions(self) -> Iterator[Function]:
        for logical_id, resource in self.resources.items():
            if resource["Type"] in FUNCTION_TYPES:
                yield Function(logical_id, str(resource["Type"]), self.properties(logical_id))

    def workers(self) -> list[Worker]:
        return [
            Worker(function, source)
            for function in self.functions()
            if any(name in function.variables for name in WORKER_VARIABLES)
            for source in self.event_sources(function)
        ]

    def producers(self) -> list[Producer]:
        producers = []
        for function in self.functions():
            queues = {
                name: queue
                for name, value in function.variables.items()
                if TASK_QUEUE_URL.fullmatch(name) and name != DEAD_LETTER_QUEUE_URL
                for queue in [self.queue(value)]
                if queue is not None
            }
            if queues:
                table = self.table(function.variables.get(TABLE_NAME))
                producers.append(Producer(function, queues, table))
        return producers

    def event_sources(self, function: Function) -> Iterator[EventSource]:
        """The SQS event sources feeding a function: mappings that name it, and its SQS events."""
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::Lambda::EventSourceMapping":
                continue
            properties = self.properties(logical_id)
            if self._function_of(properties.get("FunctionName")) != function.logical_id:
                continue
            source = properties.get("EventSourceArn")
            queue = self.queue(source)
            if queue is not None or _is_sqs_arn(source):
                path: Path = ["Resources", logical_id, "Properties"]
                yield EventSource(logical_id, path, properties, queue)
        if function.type != SAM_FUNCTION:
            return
        events = function.properties.get("Events")
        for name, event in (events if isinstance(events, Mapping) else {}).items():
            if not isinstance(event, Mapping) or event.get("Type") != "SQS":
                continue
            given = event.get("Properties")
            event_properties: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
            yield EventSource(
                f"{function.logical_id}'s SQS event {name}",
                function.path("Events", name, "Properties"),
                event_properties,
                self.queue(event_properties.get("Queue")),
            )

    def _function_of(self, value: Any) -> str | None:
        logical_id = referenced(value)
        if self.type_of(logical_id) in FUNCTION_ALIASES and logical_id is not None:
            return self._function_of(self.properties(logical_id).get("FunctionName"))
        return logical_id if self.type_of(logical_id) in FUNCTION_TYPES else None


def _is_sqs_arn(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("arn:") and ":sqs:" in value
