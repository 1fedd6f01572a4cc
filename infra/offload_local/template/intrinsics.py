"""CloudFormation's intrinsic functions and conditions, resolved locally.

The translated template still holds Ref, Fn::GetAtt, Fn::Sub ... as CloudFormation would receive
them. Resolution needs three things: parameter values, pseudo parameters, and the attributes of
resources already created (the `Attributes` protocol, implemented by the registry).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from offload_local.errors import IntrinsicError
from offload_local.template.parameters import ParameterValue


class Attributes(Protocol):
    """What Ref and Fn::GetAtt return for a resource that exists."""

    def ref(self, logical_id: str) -> Any: ...

    def get_att(self, logical_id: str, attribute: str) -> Any: ...


class SymbolicAttributes:
    """Resources left as names: Ref is `<Logical>`, Fn::GetAtt `<Logical.Attribute>`.

    What a template says about resources that do not exist (its IAM statements, its
    environment variables) can then be read and compared offline, without creating anything.
    """

    def ref(self, logical_id: str) -> str:
        return f"<{logical_id}>"

    def get_att(self, logical_id: str, attribute: str) -> str:
        return f"<{logical_id}.{attribute}>"


class _NoValue:
    """AWS::NoValue: the property or list item holding it disappears."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Resolver:
    """Resolves intrinsics within one stack; conditions are evaluated once, on first use."""

    def __init__(
        self,
        parameters: Mapping[str, ParameterValue],
        pseudo: Mapping[str, Any],
        conditions: Mapping[str, Any],
        attributes: Attributes | None = None,
        mappings: Mapping[str, Any] | None = None,
        functions: Mapping[str, Callable[[Resolver, Any], Any]] | None = None,
    ) -> None:
        self._parameters = parameters
        self._pseudo = pseudo
        self._condition_specs = conditions
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        self._attributes = attributes
        self._mappings = mappings or {}
        # Functions valid only in some sections (the Rules section's Fn::Contains ...).
        self._functions = {**_FUNCTIONS, **(functions or {})}

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic replaced; AWS::NoValue entries removed."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key.startswith("Fn::") or key == "Condition":
                return self._function(key, arg)
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def condition(self, name: str) -> bool:
        """A named condition's truth; unknown names and cycles are errors, as in CloudFormation."""
        if name in self._conditions:
            return self._conditions[name]
        if name not in self._condition_specs:
            raise IntrinsicError(f"condition {name} is not defined in Conditions")
        if name in self._evaluating:
            raise IntrinsicError(f"condition {name} refers to itself")
        self._evaluating.add(name)
        try:
            result = self._truth(self.resolve(self._condition_specs[name]), name)
        finally:
            self._evaluating.discard(name)
        self._conditions[name] = result
        return result

    def _ref(self, name: Any) -> Any:
        name = self.resolve(name)
        if not isinstance(name, str):
            raise IntrinsicError(f"Ref needs a name, got {name!r}")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        if self._attributes is None:
            raise IntrinsicError(f"Ref {name}: resources cannot be referenced here")
        return self._attributes.ref(name)

    def _get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            logical_id, _, attribute = arg.partition(".")
        elif isinstance(arg, list) and len(arg) == 2:
            logical_id, attribute = arg[0], self.resolve(arg[1])
        else:
            raise IntrinsicError(f"Fn::GetAtt needs [resource, attribute], got {arg!r}")
        if self._attributes is None:
            raise IntrinsicError(f"Fn::GetAtt {logical_id}: resources cannot be referenced here")
        return self._attributes.get_att(str(logical_id), str(attribute))

    def _function(self, key: str, arg: Any) -> Any:
        handler = self._functions.get(key)
        if handler is None:
            raise IntrinsicError(f"{key} is not supported by the local cloud")
        return handler(self, arg)

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, str):
            text, variables = arg, {}
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            text, variables = arg[0], self.resolve(arg[1])
        else:
            raise IntrinsicError(f"Fn::Sub needs a string or [string, variables], got {arg!r}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                # ${!Literal} is CloudFormation's escape for a literal ${Literal}.
                return "${" + name[1:] + "}"
            if name in variables:
                return as_text(variables[name])
            if "." in name and name not in self._pseudo:
                return as_text(self._get_att(name))
            return as_text(self._ref(name))

        return _SUB_VARIABLE.sub(replace, text)

    def _join(self, arg: Any) -> str:
        delimiter, items = self._pair(arg, "Fn::Join")
        if not isinstance(items, list):
            raise IntrinsicError(f"Fn::Join needs a list, got {items!r}")
        return str(delimiter).join(as_text(item) for item in items)

    def _select(self, arg: Any) -> Any:
        index, items = self._pair(arg, "Fn::Select")
        if not isinstance(items, list):
            raise IntrinsicError(f"Fn::Select needs a list, got {items!r}")
        position = int(index)
        if not 0 <= position < len(items):
            raise IntrinsicError(f"Fn::Select index {position} is outside a list of {len(items)}")
        return items[position]

    def _split(self, arg: Any) -> list[str]:
        delimiter, text = self._pair(arg, "Fn::Split")
        return str(text).split(str(delimiter))

    def _if(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            raise IntrinsicError(f"Fn::If needs [condition, then, else], got {arg!r}")
        chosen = arg[1] if self.condition(str(arg[0])) else arg[2]
        return self.resolve(chosen)

    def _equals(self, arg: Any) -> bool:
        left, right = self._pair(arg, "Fn::Equals")
        return as_text(left) == as_text(right)

    def _and(self, arg: Any) -> bool:
        return all(self._truth(self.resolve(item), "Fn::And") for item in self._list(arg))

    def _or(self, arg: Any) -> bool:
        return any(self._truth(self.resolve(item), "Fn::Or") for item in self._list(arg))

    def _not(self, arg: Any) -> bool:
        items = self._list(arg)
        if len(items) != 1:
            raise IntrinsicError(f"Fn::Not needs one condition, got {arg!r}")
        return not self._truth(self.resolve(items[0]), "Fn::Not")

    def _named_condition(self, arg: Any) -> bool:
        return self.condition(str(arg))

    def _find_in_map(self, arg: Any) -> Any:
        items = self.resolve(arg)
        if not isinstance(items, list) or len(items) not in (3, 4):
            raise IntrinsicError(f"Fn::FindInMap needs [map, key, key], got {arg!r}")
        name, top, second = (str(item) for item in items[:3])
        try:
            return self._mappings[name][top][second]
        except KeyError:
            if len(items) == 4 and isinstance(items[3], dict) and "DefaultValue" in items[3]:
                return items[3]["DefaultValue"]
            raise IntrinsicError(f"Fn::FindInMap: {name}/{top}/{second} not in Mappings") from None

    def _base64(self, arg: Any) -> str:
        return base64.b64encode(as_text(self.resolve(arg)).encode()).decode()

    def pair(self, arg: Any, name: str) -> tuple[Any, Any]:
        """The two resolved arguments of a function such as Fn::Equals."""
        return self._pair(arg, name)

    def _pair(self, arg: Any, name: str) -> tuple[Any, Any]:
        items = self.resolve(arg)
        if not isinstance(items, list) or len(items) != 2:
            raise IntrinsicError(f"{name} needs two arguments, got {arg!r}")
        return items[0], items[1]

    def _list(self, arg: Any) -> list[Any]:
        if not isinstance(arg, list):
            raise IntrinsicError(f"a condition function needs a list, got {arg!r}")
        return arg

    @staticmethod
    def _truth(value: Any, where: str) -> bool:
        if isinstance(value, bool):
            return value
        raise IntrinsicError(f"{where}: expected a condition, got {value!r}")


def as_text(value: Any) -> str:
    """A resolved value as CloudFormation writes it into a string (Fn::Sub, Fn::Join)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        # A list parameter referenced in a string reads as CloudFormation's comma-joined form.
        return ",".join(as_text(item) for item in value)
    if value is NO_VALUE:
        raise IntrinsicError("AWS::NoValue cannot be used inside a string")
    return str(value)


_FUNCTIONS: dict[str, Any] = {
    "Fn::GetAtt": Resolver._get_att,
    "Fn::Sub": Resolver._sub,
    "Fn::Join": Resolver._join,
    "Fn::Select": Resolver._select,
    "Fn::Split": Resolver._split,
    "Fn::If": Resolver._if,
    "Fn::Equals": Resolver._equals,
    "Fn::And": Resolver._and,
    "Fn::Or": Resolver._or,
    "Fn::Not": Resolver._not,
    "Fn::FindInMap": Resolver._find_in_map,
    "Fn::Base64": Resolver._base64,
    "Condition": Resolver._named_condition,
}
