"""The API side: Starlette's `add_task` call shape, but every task goes on the queue before the
response leaves, and a request whose tasks could not be queued answers 503 instead of success.

Tasks that run later are added through the same batch: `background_tasks.later(delay)` or
`.at(when)` gives an object whose `add_task` has the very same signature. A keyword of
`add_task` itself (`delay=`) could collide with an argument of the task, and ParamSpec cannot
type a keyword added in front of `**kwargs`; a separate call keeps every task's own arguments
free and type-checked.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec

from fastapi import Depends, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from offload.envelope import Envelope
from offload.exceptions import EnqueueError, TaskArgumentsError
from offload.registry import TaskRegistry, registry
from offload.timing import due_after, due_at, needs_schedule

if TYPE_CHECKING:
    from fastapi import FastAPI

    from offload.queue import TaskQueue
    from offload.records import TaskRecords
    from offload.scheduler import OneTimeSchedules

P = ParamSpec("P")

logger = logging.getLogger(__name__)

_QUEUE_FACTORY = "offload_task_queue"
_RECORDS_FACTORY = "offload_task_records"
_REGISTRY = "offload_registry"
_OWNER = "offload_owner"
_SCHEDULES_FACTORY = "offload_schedules"
_CLOCK = "offload_clock"

#: A client's x-correlation-id is used only when it looks like an id: it is copied into every
#: log line of the request's tasks, where a line break or a quote could forge entries.
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class TaskBatch:
    """The tasks one request adds. The endpoint and its dependencies share one instance."""

    def __init__(
        self,
        registry: TaskRegistry,
        correlation_id: str | None = None,
        owner: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._registry = registry
        self._correlation_id = correlation_id
        self._owner = owner
        self._clock = clock
        self._envelopes: list[Envelope] = []
        self._undo: list[Callable[[], object]] = []

    def add_task(self, func: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> str:
        """Schedule `func(*args, **kwargs)` in the worker and return the task's id.

        Raises at once (a programming error, so the request fails loudly) when `func` is not a
        registered task or the arguments do not match its signature and type hints.
        """
        return self._add(func, args, kwargs, None)

    def later(self, delay: timedelta) -> Later:
        """Tasks of this request that run `delay` from now (up to a year):
        `background_tasks.later(timedelta(hours=1)).add_task(func, ...)`. TaskTimingError for a
        negative delay or one beyond a year."""
        return Later(self, due_after(delay, self._clock()))

    def at(self, when: datetime) -> Later:
        """Tasks of this request that run at `when` (aware, not past, within a year)."""
        return Later(self, due_at(when, self._clock()))

    def _add(
        self,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        due: datetime | None,
    ) -> str:
        spec = self._registry.spec_for(func)
        json_args, json_kwargs = spec.encode(args, kwargs)
        envelope = Envelope(
            task=spec.name,
            args=json_args,
            kwargs=json_kwargs,
            correlation_id=self._correlation_id,
            owner=self._owner,
            due_at=due,
        )
        if needs_schedule(due, self._clock()):
            from offload.scheduler import MAX_SCHEDULED_BODY_BYTES

            size = len(envelope.to_body().encode())
            if size > MAX_SCHEDULED_BODY_BYTES:
                raise TaskArgumentsError(
                    f"{spec.name}: {size} bytes of arguments is too much to schedule (at most "
                    f"{MAX_SCHEDULED_BODY_BYTES}); pass a key to the data instead"
                )
        self._envelopes.append(envelope)
        return envelope.id

    def on_enqueue_failure(self, undo: Callable[[], object]) -> None:
        """Register how to take back what the request already did (a row it created, say) if
        its tasks cannot be queued: the client is told to retry, and a retry must find nothing
        half done. Undo steps run newest first, before the 503 goes out."""
        self._undo.append(undo)

    async def undo(self) -> None:
        for step in reversed(self._undo):
            try:
                await run_in_threadpool(step)
            except Exception:
                logger.exception("could not undo a step of a request whose tasks were refused")

    @property
    def envelopes(self) -> list[Envelope]:
        return list(self._envelopes)

    @property
    def task_ids(self) -> list[str]:
        return [e.id for e in self._envelopes]

    def __len__(self) -> int:
        return len(self._envelopes)


class Later:
    """Adds tasks to the same request's batch, due at one time: they are recorded and queued
    with the others (SQS's delay up to 15 minutes, a one-time schedule beyond)."""

    def __init__(self, batch: TaskBatch, due: datetime) -> None:
        self._batch = batch
        self.due = due

    def add_task(self, func: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> str:
        """As TaskBatch.add_task, for a task that runs when due; returns its id."""
        return self._batch._add(func, args, kwargs, self.due)


def use_task_queue(
    app: FastAPI,
    queue: Callable[[], TaskQueue],
    task_registry: TaskRegistry = registry,
    records: Callable[[], TaskRecords] | None = None,
    owner: Callable[[Request], str | None] | None = None,
    schedules: Callable[[], OneTimeSchedules] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> None:
    """Tell the app where tasks go, where their rows are kept (offload.records), who owns the
    tasks a request adds (the authenticated caller, say), and where tasks due more than 15
    minutes ahead wait (offload.scheduler). The factories are called per request, so they
    should be cheap. `clock` is for tests (offload.testing)."""
    setattr(app.state, _QUEUE_FACTORY, queue)
    setattr(app.state, _RECORDS_FACTORY, records)
    setattr(app.state, _REGISTRY, task_registry)
    setattr(app.state, _OWNER, owner)
    setattr(app.state, _SCHEDULES_FACTORY, schedules)
    setattr(app.state, _CLOCK, clock)


def task_owner(app: FastAPI) -> Callable[[Request], str | None] | None:
    """Who owns a request's tasks, as `use_task_queue` was told."""
    owner: Callable[[Request], str | None] | None = getattr(app.state, _OWNER, None)
    return owner


_SETTINGS = (_QUEUE_FACTORY, _RECORDS_FACTORY, _REGISTRY, _OWNER, _SCHEDULES_FACTORY, _CLOCK)


def task_queue_settings(app: FastAPI) -> dict[str, Any]:
    """What `use_task_queue` set on the app, to put back later (offload.testing)."""
    return {name: getattr(app.state, name, None) for name in _SETTINGS}


def restore_task_queue_settings(app: FastAPI, settings: dict[str, Any]) -> None:
    for name, value in settings.items():
        setattr(app.state, name, value)


def correlation_id_of(request: Request) -> str:
    """The id that ties the worker's log lines to this request."""
    header = request.headers.get("x-correlation-id")
    if header and _CORRELATION_ID.fullmatch(header):
        return header
    # Mangum keeps the Lambda event in the scope; API Gateway's request id is what its access
    # logs and the API function's Powertools logger show.
    event = request.scope.get("aws.event") or {}
    request_id = (event.get("requestContext") or {}).get("requestId")
    return str(request_id) if request_id else uuid.uuid4().hex


async def send_request_tasks(request: Request) -> AsyncIterator[TaskBatch]:
    """Dependency: yield the request's TaskBatch, then, once the endpoint has returned, record
    and queue its tasks before the response leaves."""
    state = request.app.state
    queue_factory: Callable[[], TaskQueue] | None = getattr(state, _QUEUE_FACTORY, None)
    if queue_factory is None:
        raise RuntimeError("no task queue: call offload.use_task_queue(app, ...) at start-up")
    owner_of: Callable[[Request], str | None] | None = getattr(state, _OWNER, None)
    clock: Callable[[], datetime] = getattr(state, _CLOCK, None) or (lambda: datetime.now(UTC))
    batch = TaskBatch(
        getattr(state, _REGISTRY, registry),
        correlation_id_of(request),
        owner_of(request) if owner_of is not None else None,
        clock,
    )
    # Code after the yield runs only when the endpoint returned: a request that failed queues
    # nothing, as Starlette runs no background task for it either.
    yield batch
    if not batch:
        return
    records_factory: Callable[[], TaskRecords] | None = getattr(state, _RECORDS_FACTORY, None)
    schedules_factory: Callable[[], OneTimeSchedules] | None = getattr(
        state, _SCHEDULES_FACTORY, None
    )
    try:
        # Blocking calls made in order, each failure taking back what the steps before it did:
        # one synchronous function, run in one worker thread.
        await run_in_threadpool(
            _enqueue, batch.envelopes, queue_factory, records_factory, schedules_factory, clock
        )
    except _RefusedError as refused:
        await _refuse(batch, refused.cause)
    logger.info("queued %d task(s)", len(batch), extra={"task_ids": batch.task_ids})


class _RefusedError(Exception):
    """A request's tasks could not all be queued; what was done for them has been taken back."""

    def __init__(self, cause: Exception) -> None:
        super().__init__()
        self.cause = cause


def _enqueue(
    envelopes: list[Envelope],
    queue_factory: Callable[[], TaskQueue],
    records_factory: Callable[[], TaskRecords] | None,
    schedules_factory: Callable[[], OneTimeSchedules] | None,
    clock: Callable[[], datetime],
) -> None:
    """Record the tasks' rows, then schedule those due later, then send the others; if any step
    fails, take back what the steps before it did and raise _RefusedError."""
    task_ids = [e.id for e in envelopes]
    records = records_factory() if records_factory is not None else None
    try:
        if records is not None:
            # Before SQS: a worker can never find a task whose row is still to come, and the
            # ids are new, so one unconditional batch writes them all.
            records.queued(envelopes)
    except Exception as exc:
        if records is not None:
            _take_back(records, task_ids, refused=task_ids)
        raise _RefusedError(exc) from exc
    now = clock()
    scheduled = [e for e in envelopes if needs_schedule(e.due_at, now)]
    on_queue = [e for e in envelopes if not needs_schedule(e.due_at, now)]
    schedules: OneTimeSchedules | None = None
    if scheduled:
        # First: a schedule can be taken back, an SQS message cannot.
        try:
            if schedules_factory is None:
                raise EnqueueError(
                    "tasks due more than 15 minutes ahead need a scheduler: "
                    "use_task_queue(app, ..., schedules=...)",
                    [e.id for e in scheduled],
                )
            schedules = schedules_factory()
            schedules.send(scheduled)
        except Exception as exc:
            if records is not None:
                _take_back(records, task_ids, refused=task_ids)
            raise _RefusedError(exc) from exc
    try:
        if on_queue:
            queue_factory().send(on_queue)
    except Exception as exc:
        # The schedules made above are taken back: their tasks never run. One that cannot be
        # deleted keeps its row, which says cancelled below: the worker will not run it.
        deleted: list[str] = []
        if schedules is not None:
            for envelope in scheduled:
                try:
                    schedules.delete(envelope.id)
                    deleted.append(envelope.id)
                except Exception:
                    logger.exception(
                        "could not delete the schedule of refused task %s", envelope.id
                    )
        if records is not None:
            # What SQS refused is known from an EnqueueError; after any other error, each
            # task may have been taken.
            refused = exc.task_ids if isinstance(exc, EnqueueError) else []
            _take_back(records, task_ids, [*refused, *deleted])
        raise _RefusedError(exc) from exc


async def _refuse(batch: TaskBatch, exc: Exception) -> NoReturn:
    """Answer 503, after taking back what the request did: its retry must find nothing done."""
    logger.error("tasks not queued, answering 503: %s", exc, extra={"task_ids": batch.task_ids})
    await batch.undo()
    raise HTTPException(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        detail="The request's background work could not be queued; please retry.",
        headers={"Retry-After": "1"},
    ) from exc


def _take_back(records: TaskRecords, task_ids: list[str], refused: list[str]) -> None:
    """The rows of a request answered 503: those SQS refused are forgotten (no worker can see
    them); those it took are cancelled, as SQS cannot give a message back."""
    taken = [task_id for task_id in task_ids if task_id not in set(refused)]
    try:
        if refused:
            records.discard(refused)
        if taken:
            records.cancel(taken)
    except Exception:
        logger.exception("could not take back the rows of a refused request's tasks")


#: Inject with `background_tasks: BackgroundTasks`, as with FastAPI's own. scope="function" makes
#: the exit code run before the response is sent, so an enqueue failure can still become a 503.
BackgroundTasks = Annotated[TaskBatch, Depends(send_request_tasks, scope="function")]
