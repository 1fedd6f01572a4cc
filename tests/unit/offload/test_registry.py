from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from offload import (
    DuplicateTaskError,
    TaskArgumentsError,
    TaskRegistry,
    UnknownTaskError,
    UnregisteredTaskError,
)


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


def test_unregistered_function_is_refused_with_a_hint(registry: TaskRegistry) -> None:
    def helper() -> None: ...

    with pytest.raises(UnregisteredTaskError, match=r"helper is not a registered task.*@task"):
        registry.spec_for(helper)


def test_unknown_name_is_a_permanent_error(registry: TaskRegistry) -> None:
    with pytest.raises(UnknownTaskError, match="unknown task 'nope'"):
        registry.get("nope")


def test_two_functions_cannot_share_a_name(registry: TaskRegistry) -> None:
    registry.register("job", lambda: None)

    def other() -> None: ...

    with pytest.raises(DuplicateTaskError, match="'job' is taken"):
        registry.register("job", other)


def test_the_same_function_registered_again_replaces_itself(registry: TaskRegistry) -> None:
    def job() -> None: ...

    registry.register("job", job)
    registry.register("job", job)

    assert registry.names() == ["job"]


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


def test_async_tasks_are_recognised(registry: TaskRegistry) -> None:
    async def job() -> None: ...

    assert registry.register("job", job).is_async
