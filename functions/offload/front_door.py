"""The front door: one object owns the task registry, where tasks go and wait (the backend:
SQS, the tasks' rows in DynamoDB, EventBridge Scheduler, S3 for large arguments), and the worker
built from them. An application meets it in three verbs:

    tasks = Offload.from_environment()        # the OFFLOAD_* variables (offload.config)
    tasks.install(app, owner=...)             # the API: BackgroundTasks sends its tasks here
    handler = tasks.lambda_handler()          # the worker Lambda's entry point

Nothing is read or connected when it is made: the environment is read, and each part built, on
first use (a cold start pays only for what it touches). The test kit (offload.testing) swaps the
backend for one in memory.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from offload.config import Config
from offload.registry import TaskRegistry, registry

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics, Tracer
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from fastapi import FastAPI, Request

    from offload.backend import Backend
    from offload.consumer import TaskConsumer
    from offload.hooks import Hook
    from offload.readers import MessageReader
    from offload.retry import Backoff
    from offload.router import QueueRouter
    from offload.rows import TaskRow, TaskRows
    from offload.schedules import OneTimeSchedules

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger(__name__)

#: The worker's metrics namespace when POWERTOOLS_METRICS_NAMESPACE sets none.
METRICS_NAMESPACE = "Offload"

LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], "PartialItemFailureResponse"]
Readers = Sequence["MessageReader"] | Callable[[], Sequence["MessageReader"]]


class Offload:
    """Durable background tasks: the registry, the backend and the worker, in one object."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        registry: TaskRegistry = registry,
        backend: Backend | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        #: None: read from the environment on first use (and again after reset()).
        self._config = config
        self._given_config = config is not None
        self.registry = registry
        self._backend = backend
        self._given_backend = backend is not None
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()

    @classmethod
    def from_environment(cls, *, registry: TaskRegistry = registry) -> Offload:
        """The front door the OFFLOAD_* variables describe (read on first use)."""
        return cls(registry=registry)

    # Configuration and parts, each made once, on first use

    @property
    def config(self) -> Config:
        if self._config is None:
            with self._lock:
                if self._config is None:
                    self._config = Config.from_environment()
        return self._config

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    from offload.backend import AwsBackend

                    self._backend = AwsBackend(self.config, self.registry, self.clock)
        return self._backend

    @property
    def rows(self) -> TaskRows:
        return self.backend.rows

    @cached_property
    def router(self) -> QueueRouter:
        """Each task to the queue its declaration names; a task naming a queue this function
        has no URL for stops it here, loudly (UnknownQueueError, naming the variable)."""
        from offload.router import QueueRouter

        return QueueRouter(self.backend.queues, self.registry)

    @property
    def schedules(self) -> OneTimeSchedules:
        return self.backend.schedules

    def reset(self) -> None:
        """Forget the configuration and every part built from it (the environment changed:
        between tests). A front door given its config or backend keeps them."""
        with self._lock:
            if not self._given_config:
                self._config = None
            if not self._given_backend:
                self._backend = None
            self.__dict__.pop("router", None)

    # Tasks

    def task(
        self,
        name: str,
        *,
        max_attempts: int | None = None,
        backoff: Backoff | None = None,
        queue: str = "default",
        schedule: str | None = None,
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Register a function as the task `name` (offload.registry.TaskRegistry.task)."""
        return self.registry.task(
            name, max_attempts=max_attempts, backoff=backoff, queue=queue, schedule=schedule
        )

    def status(self, task_id: str) -> TaskRow | None:
        """Where a task stands (its row), or None for an id never queued (or long forgotten)."""
        return self.rows.get(task_id)

    def cancel(self, task_id: str) -> None:
        """Cancel a task added for later, until it starts: its row says cancelled (the worker
        refuses its envelope whenever it arrives) and its schedule, if any, is deleted.
        NotScheduledError once it started, or for a task never added for later."""
        # The row first: once it says cancelled, the worker refuses the envelope whatever
        # happens to the schedule.
        self.rows.unschedule(task_id)
        try:
            self.schedules.delete(task_id)
        except Exception:
            # Not the caller's problem: the schedule fires, the worker does not run it.
            logger.exception("could not delete the schedule of cancelled task %s", task_id)

    def failures(self, day: date, limit: int = 50) -> list[TaskRow]:
        """Tasks that went retrying, failed or dead-lettered on the UTC day, newest first."""
        return self.rows.failures(day, limit)

    # The API

    def install(
        self, app: FastAPI, *, owner: Callable[[Request], str | None] | None = None
    ) -> None:
        """Send the tasks `app`'s requests add (offload.BackgroundTasks) through this front
        door. `owner` says whose each request's tasks are (the authenticated caller's id, say):
        only they may read them afterwards."""
        _installations[app] = Installation(self, owner)

    # The worker

    def consumer(
        self,
        *,
        readers: Sequence[MessageReader] = (),
        hooks: Sequence[Hook] = (),
        effect_hooks: Sequence[Hook] = (),
        log: Logger | None = None,
        metrics: Metrics | None = None,
        tracer: Tracer | None = None,
        time_guard_ms: int = 5_000,
    ) -> TaskConsumer:
        """The SQS batch handler: every registered task, the readers of other messages the
        queue carries, and the hooks around each run (outermost first; `effect_hooks` go inside
        the task's lock, around its effect only). Records are not started with less than
        `time_guard_ms` left in the invocation."""
        from offload.consumer import TaskConsumer
        from offload.hooks import Hooks, LogContextHook, MetricsHook, RowHook, TracingHook
        from offload.pipeline import RunPolicy, TaskPipeline

        backend = self.backend
        # First: the worker's own check names every variable it lacks at once.
        dead_letters = backend.dead_letters
        around: list[Hook] = []
        if log is not None:
            around.append(LogContextHook(log))
        if metrics is not None:
            around.append(MetricsHook(metrics, self.clock))
        if tracer is not None:
            # Outside the row's hook: the task's subsegment holds its row's writes too.
            around.append(TracingHook(tracer))
        around += [*hooks, RowHook(backend.rows), *effect_hooks]
        pipeline = TaskPipeline(
            self.registry,
            Hooks(around),
            RunPolicy(max_attempts=self.config.max_attempts),
            backend.payloads,
        )
        return TaskConsumer(
            pipeline,
            dead_letters,
            backend.visibility,
            readers=readers,
            time_guard_ms=time_guard_ms,
            clock=self.clock,
        )

    def lambda_handler(
        self,
        *,
        readers: Readers = (),
        hooks: Sequence[Hook] = (),
        loggers: Sequence[str] = (),
        time_guard_ms: int = 5_000,
    ) -> WorkerHandler:
        """The worker function's handler (`handler = tasks.lambda_handler()`): JSON logs
        (Powertools Logger; every line of a run names its task, attempt and request; the
        `offload` logger and `loggers` are configured alike), metrics (Powertools Metrics,
        namespace POWERTOOLS_METRICS_NAMESPACE, else `Offload`), X-Ray where tracing is on.
        The consumer is built on the first invocation (settings checked then, nothing
        connected at import) and kept for the life of the execution environment. `readers` may
        be a function, called then."""
        from aws_lambda_powertools.logging import Logger
        from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
        from aws_lambda_powertools.metrics import Metrics

        from offload.tracing import capture_handler, tracer

        log = Logger()
        namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE)
        metrics = Metrics(namespace=namespace)
        # A batch that ran no task (S3's test event) adds no metric: normal, not a warning.
        warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
        # Only loggers that exist are configured: the tasks' modules may not be imported yet.
        for name in ("offload", *loggers):
            logging.getLogger(name)
        copy_config_to_registered_loggers(source_logger=log, include={"offload", *loggers})

        built: list[tuple[Backend, TaskConsumer]] = []

        def consumer() -> TaskConsumer:
            # One per backend: the same for the life of the execution environment, a new one
            # after reset() (the environment changed: between tests).
            backend = self.backend
            if not built or built[0][0] is not backend:
                chosen = readers() if callable(readers) else readers
                made = self.consumer(
                    readers=chosen,
                    hooks=hooks,
                    log=log,
                    metrics=metrics,
                    tracer=tracer(),
                    time_guard_ms=time_guard_ms,
                )
                built[:] = [(backend, made)]
            return built[0][1]

        @log.inject_lambda_context(clear_state=True)
        @capture_handler
        @metrics.log_metrics
        def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
            return consumer().handle(event, context)

        return WorkerHandler(handler, consumer, log)


class WorkerHandler:
    """The worker Lambda's handler: called with each SQS batch; `consumer()` is what it runs
    (built on the first call, kept for the execution environment), `logger` what it logs with."""

    def __init__(
        self, handle: LambdaHandler, consumer: Callable[[], TaskConsumer], logger: Logger
    ) -> None:
        self._handle = handle
        self.consumer = consumer
        self.logger = logger

    def __call__(self, event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return self._handle(event, context)


@dataclass(frozen=True)
class Installation:
    """An app's front door, and whose its requests' tasks are."""

    offload: Offload
    owner: Callable[[Request], str | None] | None = None


_installations: weakref.WeakKeyDictionary[Any, Installation] = weakref.WeakKeyDictionary()


def installation(app: Any) -> Installation | None:
    """What `Offload.install` was told for this app, if anything."""
    return _installations.get(app)


@cache
def default() -> Offload:
    """The front door of an app that installed none: the environment's, with the global
    registry (`@offload.task`)."""
    return Offload.from_environment()
