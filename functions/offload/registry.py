"""Tasks by stable name. Only registered names ever run in the worker: a message names a task,
never a module path, so nothing from the queue can choose what code is imported or called."""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ParamSpec, TypeVar

from pydantic import JsonValue, TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError

from offload.config import DEFAULT_QUEUE, queue_key
from offload.envelope import describe
from offload.exceptions import (
    DuplicateTaskError,
    TaskArgumentsError,
    UnknownTaskError,
    UnregisteredTaskError,
)
from offload.expressions import parse_recurring
from offload.retry import Backoff

P = ParamSpec("P")
R = TypeVar("R")

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,127}$")
_QUEUE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


@dataclass(frozen=True, eq=False)
class TaskSpec:
    """A registered task: its name, its function, and how to check and (de)serialise arguments."""

    name: str
    func: Callable[..., Any]
    #: Deliveries before the worker gives up and dead-letters the task itself; None: the
    #: worker's default, which follows the queue's maxReceiveCount.
    max_attempts: int | None = None
    backoff: Backoff | None = None
    #: The queue it goes on (the functions map names to queues: offload.router.QueueRouter).
    queue: str = DEFAULT_QUEUE
    #: A periodic task's schedule expression (rate or cron, offload.expressions).
    schedule: str | None = None

    @cached_property
    def signature(self) -> inspect.Signature:
        return inspect.signature(self.func)

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.func)

    @cached_property
    def _adapters(self) -> dict[str, TypeAdapter[Any]]:
        # Built on first use, not at import: a cold start pays only for the tasks it touches.
        hints = typing.get_type_hints(self.func, include_extras=True)
        adapters: dict[str, TypeAdapter[Any]] = {}
        for param in self.signature.parameters.values():
            hint = hints.get(param.name, Any)
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                hint = tuple[hint, ...]  # type: ignore[valid-type]
            elif param.kind is inspect.Parameter.VAR_KEYWORD:
                hint = dict[str, hint]  # type: ignore[valid-type]
            adapters[param.name] = TypeAdapter(hint)
        return adapters

    def encode(
        self, args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> tuple[list[JsonValue], dict[str, JsonValue]]:
        """Validate the caller's arguments and turn them into JSON values (at add_task time)."""
        bound = self._bind(args, kwargs)
        for name, value in bound.arguments.items():
            adapter = self._adapters[name]
            try:
                bound.arguments[name] = adapter.dump_python(
                    adapter.validate_python(value), mode="json"
                )
            except ValidationError as exc:
                raise TaskArgumentsError(f"{self.name}({name}): {describe(exc)}") from None
            except PydanticSerializationError as exc:
                raise TaskArgumentsError(f"{self.name}({name}): not JSON: {exc}") from None
        json_args, json_kwargs = _split(bound, len(args))
        return list(json_args), json_kwargs

    def decode(
        self, args: Sequence[JsonValue], kwargs: Mapping[str, JsonValue]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Validate JSON arguments from a message back into the types the task declares."""
        bound = self._bind(args, kwargs)
        for name, value in bound.arguments.items():
            try:
                bound.arguments[name] = self._adapters[name].validate_python(value)
            except ValidationError as exc:
                raise TaskArgumentsError(f"{self.name}({name}): {describe(exc)}") from None
        return _split(bound, len(args))

    def call(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        """Run the task's function; an `async def` task runs on an event loop of its own."""
        if self.is_async:
            import asyncio  # only workers with async tasks pay for it

            return asyncio.run(self.func(*args, **kwargs))
        return self.func(*args, **kwargs)

    def _bind(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> inspect.BoundArguments:
        try:
            return self.signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TaskArgumentsError(f"{self.name}: {exc}") from None


class TaskRegistry:
    """Maps stable names to task functions, and functions back to their names."""

    def __init__(self) -> None:
        self._by_name: dict[str, TaskSpec] = {}
        self._by_func: dict[Callable[..., Any], TaskSpec] = {}

    def task(
        self,
        name: str,
        *,
        max_attempts: int | None = None,
        backoff: Backoff | None = None,
        queue: str = DEFAULT_QUEUE,
        schedule: str | None = None,
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Register a function (sync or async) as the task `name`; the function is unchanged.

        `queue` names the queue it goes on (heavy work apart from quick work); `schedule` makes
        it periodic (`rate(1 day)`, `cron(0 3 * * ? *)`): it then takes no arguments, and
        template.yaml needs its AWS::Scheduler::Schedule.
        """

        def register(func: Callable[P, R]) -> Callable[P, R]:
            self.register(
                name,
                func,
                max_attempts=max_attempts,
                backoff=backoff,
                queue=queue,
                schedule=schedule,
            )
            return func

        return register

    def register(
        self,
        name: str,
        func: Callable[..., Any],
        *,
        max_attempts: int | None = None,
        backoff: Backoff | None = None,
        queue: str = DEFAULT_QUEUE,
        schedule: str | None = None,
    ) -> TaskSpec:
        if queue_key(queue) == "dead_letter":
            # OFFLOAD_DEAD_LETTER_QUEUE_URL is the worker's dead-letter queue.
            raise ValueError(f"the queue name {queue!r} is reserved; task {name!r} needs another")
        if not _QUEUE.match(queue):
            raise ValueError(
                f"invalid queue name {queue!r} for task {name!r}: lower-case letters, digits, "
                "_ and -, starting with a letter, at most 40 characters"
            )
        if schedule is not None:
            parse_recurring(schedule)
            _check_no_arguments(name, func)
        if not _NAME.match(name):
            raise ValueError(
                f"invalid task name {name!r}: letters, digits and _.:- only, "
                "starting with a letter, at most 128 characters"
            )
        existing = self._by_name.get(name)
        if existing is not None and _origin(existing.func) != _origin(func):
            raise DuplicateTaskError(
                f"task name {name!r} is taken by {_origin(existing.func)}; "
                f"{_origin(func)} needs another name"
            )
        if max_attempts is not None and max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        spec = TaskSpec(
            name=name,
            func=func,
            max_attempts=max_attempts,
            backoff=backoff,
            queue=queue,
            schedule=schedule,
        )
        if existing is not None:
            # The same function defined again (a module reloaded): the newest definition wins.
            self._by_func.pop(existing.func, None)
        self._by_name[name] = spec
        self._by_func[func] = spec
        return spec

    def spec_for(self, func: Callable[..., Any]) -> TaskSpec:
        try:
            return self._by_func[func]
        except (KeyError, TypeError):
            label = getattr(func, "__qualname__", repr(func))
            raise UnregisteredTaskError(
                f"{label} is not a registered task: decorate it with @task('some_name') "
                "so the worker can find it by that name"
            ) from None

    def get(self, name: str) -> TaskSpec:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownTaskError(f"unknown task {name[:128]!r}") from None

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def queues(self) -> dict[str, list[str]]:
        """Each queue named by a registered task, with the tasks that name it."""
        found: dict[str, list[str]] = {}
        for name in self.names():
            found.setdefault(self._by_name[name].queue, []).append(name)
        return found

    def periodic(self) -> list[TaskSpec]:
        """The periodic tasks, by name."""
        return [self._by_name[n] for n in self.names() if self._by_name[n].schedule is not None]


def _check_no_arguments(name: str, func: Callable[..., Any]) -> None:
    """A periodic task is called with nothing: its schedule sends the same envelope each time."""
    required = [
        p.name
        for p in inspect.signature(func).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    if required:
        raise ValueError(
            f"periodic task {name!r} requires arguments ({', '.join(required)}): its schedule "
            "calls it with none"
        )


def _split(
    bound: inspect.BoundArguments, positional: int
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Arguments back into (args, kwargs) as the caller split them.

    BoundArguments.args would also move keyword arguments into positions; keeping the caller's
    split keeps the message readable and the same on both sides.
    """
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in bound.signature.parameters.values():
        if param.name not in bound.arguments:
            continue
        value = bound.arguments[param.name]
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            args.extend(value)
        elif param.kind is inspect.Parameter.VAR_KEYWORD:
            kwargs.update(value)
        elif param.kind is not inspect.Parameter.KEYWORD_ONLY and len(args) < positional:
            args.append(value)
        else:
            kwargs[param.name] = value
    return tuple(args), kwargs


def _origin(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


#: The registry `@task` writes to and the worker reads from.
registry = TaskRegistry()
task = registry.task
