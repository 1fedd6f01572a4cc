"""The API side: Starlette's `add_task` call shape, but every task goes on the queue before the
response leaves, and a request whose tasks could not be queued answers 503 instead of success.

Tasks that run later are added to the same request: `background_tasks.later(delay)` or
`.at(when)` gives an object whose `add_task` has the very same signature. A keyword of
`add_task` itself (`delay=`) could collide with an argument of the task, and ParamSpec cannot
type a keyword added in front of `**kwargs`; a separate call keeps every task's own arguments
free and type-checked.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec

from fastapi import Depends, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from offload.envelope import Envelope
from offload.exceptions import EnqueueError, TaskArgumentsError

# At run time, not only for the type checker: FastAPI reads the dependencies' annotations.
from offload.front_door import Offload, default, installation
from offload.timing import due_after, due_at, needs_schedule

if TYPE_CHECKING:
    from offload.registry import TaskRegistry
    from offload.router import QueueRouter
    from offload.rows import TaskRows
    from offload.schedules import OneTimeSchedules

P = ParamSpec("P")

logger = logging.getLogger(__name__)

#: A client's x-correlation-id is used only when it looks like an id: it is copied into every
#: log line of the request's tasks, where a line break or a quote could forge entries.
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


@dataclass(frozen=True)
class AddedTask:
    """A task a request added, and how it waits when it is due later: on a one-time schedule
    (more than 15 minutes ahead) or on the queue itself. Decided once, when it is added."""

    envelope: Envelope
    scheduled: bool = False


class RequestTasks:
    """The tasks one request adds. The endpoint and its dependencies share one instance."""

    def __init__(
        self,
        registry: TaskRegistry,
        clock: Callable[[], datetime],
        correlation_id: str | None = None,
        owner: str | None = None,
    ) -> None:
        self._registry = registry
        self._clock = clock
        self._correlation_id = correlation_id
        self._owner = owner
        self._added: list[AddedTask] = []
        self._undo: list[Callable[[], object]] = []

    def add_task(self, func: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> str:
        """Schedule `func(*args, **kwargs)` in the worker and return the task's id.

        Raises at once (a programming error, so the request fails loudly) when `func` is not a
        registered task or the arguments do not match its signature and type hints.
        """
        return self._add(func, args, kwargs, None)

    def later(self, delay: timedelta) -> Due:
        """Tasks of this request that run `delay` from now (up to a year):
        `background_tasks.later(timedelta(hours=1)).add_task(func, ...)`. TaskTimingError for a
        negative delay or one beyond a year."""
        return Due(self, due_after(delay, self._clock()))

    def at(self, when: datetime) -> Due:
        """Tasks of this request that run at `when` (aware, not past, within a year)."""
        return Due(self, due_at(when, self._clock()))

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
        scheduled = needs_schedule(due, self._clock())
        if scheduled:
            from offload.schedules import MAX_SCHEDULED_BODY_BYTES

            size = len(envelope.to_body().encode())
            if size > MAX_SCHEDULED_BODY_BYTES:
                raise TaskArgumentsError(
                    f"{spec.name}: {size} bytes of arguments is too much to schedule (at most "
                    f"{MAX_SCHEDULED_BODY_BYTES}); pass a key to the data instead"
                )
        self._added.append(AddedTask(envelope, scheduled))
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
    def added(self) -> list[AddedTask]:
        return list(self._added)

    @property
    def task_ids(self) -> list[str]:
        return [a.envelope.id for a in self._added]

    def __len__(self) -> int:
        return len(self._added)


class Due:
    """Adds tasks to the same request, all due at one time: recorded and queued with the others
    (SQS's delay up to 15 minutes, a one-time schedule beyond)."""

    def __init__(self, tasks: RequestTasks, when: datetime) -> None:
        self._tasks = tasks
        self.when = when

    def add_task(self, func: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> str:
        """As RequestTasks.add_task, for a task that runs when due; returns its id."""
        return self._tasks._add(func, args, kwargs, self.when)


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


def get_offload(request: Request) -> Offload:
    """Dependency: the front door the app was installed with (Offload.install), else the one the
    environment describes. Tests override it: `app.dependency_overrides[get_offload]`."""
    found = installation(request.app)
    return found.offload if found is not None else default()


async def send_request_tasks(
    request: Request, offload: Annotated[Offload, Depends(get_offload)]
) -> AsyncIterator[RequestTasks]:
    """Dependency: yield the request's tasks, then, once the endpoint has returned, record and
    queue them before the response leaves."""
    found = installation(request.app)
    owner_of = found.owner if found is not None else None
    tasks = RequestTasks(
        offload.registry,
        offload.clock,
        correlation_id_of(request),
        owner_of(request) if owner_of is not None else None,
    )
    # Code after the yield runs only when the endpoint returned: a request that failed queues
    # nothing, as Starlette runs no background task for it either.
    yield tasks
    if not tasks:
        return
    try:
        # Blocking calls made in order, each failure taking back what the steps before it did:
        # one synchronous function, run in one worker thread.
        await run_in_threadpool(enqueue, tasks.added, offload)
    except RefusedError as refused:
        await _refuse(tasks, refused.cause)
    logger.info("queued %d task(s)", len(tasks), extra={"task_ids": tasks.task_ids})


class RefusedError(Exception):
    """A request's tasks could not all be queued; what was done for them has been taken back."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def enqueue(added: Sequence[AddedTask], offload: Offload) -> None:
    """Record the tasks' rows, then schedule those due far ahead, then send the others; if any
    step fails, take back what the steps before it did and raise RefusedError."""
    envelopes = [a.envelope for a in added]
    task_ids = [e.id for e in envelopes]
    scheduled = [a.envelope for a in added if a.scheduled]
    on_queue = [a.envelope for a in added if not a.scheduled]
    rows: TaskRows | None = None
    try:
        rows = offload.rows
        router: QueueRouter = offload.router
        # Before SQS: a worker can never find a task whose row is still to come, and the ids
        # are new, so one unconditional batch writes them all.
        rows.enqueue(envelopes)
    except Exception as exc:
        if rows is not None:
            _take_back(rows, task_ids, refused=task_ids)
        raise RefusedError(exc) from exc
    schedules: OneTimeSchedules | None = None
    if scheduled:
        # First: a schedule can be taken back, an SQS message cannot.
        try:
            schedules = offload.schedules
            schedules.send(scheduled)
        except Exception as exc:
            _take_back(rows, task_ids, refused=task_ids)
            raise RefusedError(exc) from exc
    try:
        if on_queue:
            router.send(on_queue)
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
        # What SQS refused is known from an EnqueueError; after any other error, each task may
        # have been taken.
        refused = exc.task_ids if isinstance(exc, EnqueueError) else []
        _take_back(rows, task_ids, [*refused, *deleted])
        raise RefusedError(exc) from exc


async def _refuse(tasks: RequestTasks, exc: Exception) -> NoReturn:
    """Answer 503, after taking back what the request did: its retry must find nothing done."""
    logger.error("tasks not queued, answering 503: %s", exc, extra={"task_ids": tasks.task_ids})
    await tasks.undo()
    raise HTTPException(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        detail="The request's background work could not be queued; please retry.",
        headers={"Retry-After": "1"},
    ) from exc


def _take_back(rows: TaskRows, task_ids: list[str], refused: list[str]) -> None:
    """The rows of a request answered 503: those SQS refused are forgotten (no worker can see
    them); those it took are cancelled, as SQS cannot give a message back."""
    taken = [task_id for task_id in task_ids if task_id not in set(refused)]
    try:
        if refused:
            rows.discard(refused)
        if taken:
            rows.cancel(taken)
    except Exception:
        logger.exception("could not take back the rows of a refused request's tasks")


#: Inject with `background_tasks: BackgroundTasks`, as with FastAPI's own. scope="function" makes
#: the exit code run before the response is sent, so an enqueue failure can still become a 503.
BackgroundTasks = Annotated[RequestTasks, Depends(send_request_tasks, scope="function")]
