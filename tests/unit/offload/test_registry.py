from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from offload import (
    DuplicateTaskError,
    TaskArgumentsError,
    TaskRegistry,
    UnknownTaskError,
    UnregisteredTaskError,
)
from offload.retry import Backoff


class Point(BaseModel):
    x: int
    y: int


@pytest.fixture
def registry() -> TaskRegistry:
    return TaskRegistry()


def test_task_decorator_registers_under_its_name_and_returns_the_function(
    registry: TaskRegistry,
) -> None:
    def greet(name: str) -> str:
        return f"hello {name}"

    decorated = registry.task("greet")(greet)

    assert decorated is greet
    assert registry.get("greet").func is greet
    assert registry.spec_for(greet).name == "greet"
    assert registry.names() == ["greet"]


class Callback:
    """A callable without a __qualname__ of its own: its repr names it."""

    def __call__(self) -> None: ...

    def __repr__(self) -> str:
        return "<Callback>"


def helper() -> None: ...


@pytest.mark.parametrize(("func", "label"), [(helper, "helper"), (Callback(), "<Callback>")])
def test_unregistered_function_is_refused_with_a_hint(
    registry: TaskRegistry, func: Any, label: str
) -> None:
    with pytest.raises(UnregisteredTaskError) as caught:
        registry.spec_for(func)

    assert str(caught.value) == (
        f"{label} is not a registered task: decorate it with @task('some_name') "
        "so the worker can find it by that name"
    )


@pytest.mark.parametrize(("name", "shown"), [("nope", "nope"), ("x" * 300, "x" * 128)])
def test_unknown_name_is_a_permanent_error(registry: TaskRegistry, name: str, shown: str) -> None:
    # The name comes from a message: only so much of it goes into the dead-letter reason.
    with pytest.raises(UnknownTaskError) as caught:
        registry.get(name)

    assert str(caught.value) == f"unknown task {shown!r}"


@pytest.mark.parametrize(
    ("first", "origin"), [(helper, f"{__name__}.helper"), (Callback(), f"{__name__}.<Callback>")]
)
def test_two_functions_cannot_share_a_name(registry: TaskRegistry, first: Any, origin: str) -> None:
    registry.register("job", first)

    def other() -> None: ...

    with pytest.raises(DuplicateTaskError) as caught:
        registry.register("job", other)

    assert str(caught.value) == (
        f"task name 'job' is taken by {origin}; {__name__}.{other.__qualname__} needs another name"
    )


def test_the_same_function_registered_again_replaces_itself(registry: TaskRegistry) -> None:
    def job() -> None: ...

    registry.register("job", job)
    registry.register("job", job)

    assert registry.names() == ["job"]


def test_a_reloaded_module_s_functions_replace_their_old_definitions(
    registry: TaskRegistry,
) -> None:
    def job() -> None: ...

    old = job
    registry.register("job", old)
    registry.register("job.alias", old)

    def job() -> None: ...  # type: ignore[no-redef]  # the module's code run again

    registry.register("job", job)
    registry.register("job.alias", job)

    assert registry.get("job").func is job
    assert registry.spec_for(job).name == "job.alias"
    with pytest.raises(UnregisteredTaskError):
        registry.spec_for(old)


def test_options_given_to_the_decorator_are_the_tasks(registry: TaskRegistry) -> None:
    backoff = Backoff(base_seconds=3)

    @registry.task("job", max_attempts=1, backoff=backoff, queue="heavy", schedule="rate(1 day)")
    def job() -> None: ...

    spec = registry.get("job")
    assert (spec.max_attempts, spec.backoff, spec.queue, spec.schedule) == (
        1,
        backoff,
        "heavy",
        "rate(1 day)",
    )


def needs_arguments(day: str, kind: str, limit: int = 1) -> None: ...


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        (
            "job",
            {"queue": "Heavy"},
            "invalid queue name 'Heavy' for task 'job': lower-case letters, digits, _ and -, "
            "starting with a letter, at most 40 characters",
        ),
        (
            "1job",
            {},
            "invalid task name '1job': letters, digits and _.:- only, starting with a letter, "
            "at most 128 characters",
        ),
        ("job", {"max_attempts": 0}, "max_attempts must be at least 1"),
        (
            "report",
            {"schedule": "rate(1 day)"},
            "periodic task 'report' requires arguments (day, kind): its schedule calls it with "
            "none",
        ),
    ],
)
def test_a_registration_that_cannot_work_is_refused_with_what_to_change(
    registry: TaskRegistry, name: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        registry.register(name, needs_arguments, **options)


@pytest.mark.parametrize("name", ["", "1abc", "has space", "a/b", "x" * 129])
def test_invalid_names_are_refused(registry: TaskRegistry, name: str) -> None:
    with pytest.raises(ValueError, match="invalid task name"):
        registry.register(name, lambda: None)


def test_encode_validates_and_keeps_the_positional_keyword_split(registry: TaskRegistry) -> None:
    def job(count: int, when: datetime, *, point: Point, label: str = "x") -> None: ...

    spec = registry.register("job", job)
    args, kwargs = spec.encode(
        ("3", datetime(2026, 11, 27, tzinfo=UTC)), {"point": Point(x=1, y=2)}
    )

    assert args == [3, "2026-11-27T00:00:00Z"]
    assert kwargs == {"point": {"x": 1, "y": 2}}


def test_decode_rebuilds_the_declared_types(registry: TaskRegistry) -> None:
    def job(count: int, when: datetime, *, point: Point) -> None: ...

    spec = registry.register("job", job)
    args, kwargs = spec.decode([3, "2026-11-27T00:00:00Z"], {"point": {"x": 1, "y": 2}})

    assert args == (3, datetime(2026, 11, 27, tzinfo=UTC))
    assert kwargs == {"point": Point(x=1, y=2)}


def test_var_positional_and_var_keyword_are_validated(registry: TaskRegistry) -> None:
    def job(*numbers: int, **labels: str) -> None: ...

    spec = registry.register("job", job)

    assert spec.encode((1, "2"), {"a": "b"}) == ([1, 2], {"a": "b"})
    with pytest.raises(TaskArgumentsError, match="numbers"):
        spec.encode(("x",), {})


def test_wrong_types_say_which_argument_without_echoing_it(registry: TaskRegistry) -> None:
    def job(count: int) -> None: ...

    spec = registry.register("job", job)
    secret = "not-a-number-" + "x" * 1000

    with pytest.raises(TaskArgumentsError) as caught:
        spec.encode((secret,), {})

    assert "job(count)" in str(caught.value)
    assert secret not in str(caught.value)


def test_missing_or_unexpected_arguments_are_refused(registry: TaskRegistry) -> None:
    def job(a: int) -> None: ...

    spec = registry.register("job", job)

    with pytest.raises(TaskArgumentsError, match="missing a required argument"):
        spec.encode((), {})
    with pytest.raises(TaskArgumentsError, match="unexpected keyword"):
        spec.encode((1,), {"b": 2})


def test_values_that_are_not_json_are_refused(registry: TaskRegistry) -> None:
    def job(anything: object) -> None: ...

    spec = registry.register("job", job)

    with pytest.raises(TaskArgumentsError, match="job\\(anything\\)"):
        spec.encode((object(),), {})


def test_async_tasks_are_recognised_and_run_with_their_arguments(registry: TaskRegistry) -> None:
    async def job(a: int, *, b: int) -> int:
        return a * 10 + b

    spec = registry.register("job", job)

    assert spec.is_async
    assert spec.call([1], {"b": 2}) == 12


def test_arguments_after_an_omitted_default_keep_their_place(registry: TaskRegistry) -> None:
    def job(a: int, b: int = 0, c: int = 0) -> None: ...

    spec = registry.register("job", job)

    assert spec.encode([1], {"c": 3}) == ([1], {"c": 3})
    assert spec.decode([1], {"c": 3}) == ((1,), {"c": 3})
