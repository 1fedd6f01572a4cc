"""ARNs of a template's queues and tables, and the ARN patterns a policy's Resource may match.

Nothing is deployed, so both sides are written in the same stand-in terms: the pseudo
parameters of one sample stack, a queue's name `<Logical.QueueName>` and a table's `<Logical>`
unless the template names them. What a policy says that cannot be known offline (a parameter,
an import) reads as `*`: a permission rule then errs towards "allowed", never the other way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from offload.rules.wiring import QUEUE_TYPE, TABLE_TYPES, Wiring

PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::URLSuffix": "amazonaws.com",
}
UNKNOWN = "*"
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Arns:
    """The ARN of each queue and table of a template, as policy statements name them."""

    def __init__(self, wiring: Wiring) -> None:
        self._wiring = wiring

    def of(self, logical_id: str) -> str | None:
        kind = self._wiring.type_of(logical_id)
        if kind == QUEUE_TYPE:
            return self._stand_in("sqs", self._queue_name(logical_id))
        if kind in TABLE_TYPES:
            return self._stand_in("dynamodb", "table/" + self._table_name(logical_id))
        return None

    def patterns(self, value: Any) -> list[str]:
        """What a policy's Resource (or one of its items) may evaluate to; Fn::If: both."""
        if isinstance(value, list):
            return [pattern for item in value for pattern in self.patterns(item)]
        if isinstance(value, Mapping) and set(value) == {"Fn::If"}:
            branches = value["Fn::If"]
            if isinstance(branches, list) and len(branches) == 3:
                return self.patterns(branches[1]) + self.patterns(branches[2])
        return [self.text(value)]

    def text(self, value: Any) -> str:
        """A value as a string, resources in stand-in terms and the unknowable as `*`."""
        if isinstance(value, str):
            return value
        if not isinstance(value, Mapping) or len(value) != 1:
            return UNKNOWN
        ((function, argument),) = value.items()
        if function == "Ref" and isinstance(argument, str):
            return self._ref(argument)
        if function == "Fn::GetAtt":
            if isinstance(argument, str):
                argument = argument.split(".", 1)
            if isinstance(argument, list) and len(argument) == 2:
                return self._get_att(str(argument[0]), str(argument[1]))
        if function == "Fn::Sub":
            return self._sub(argument)
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            delimiter, items = argument
            if isinstance(delimiter, str) and isinstance(items, list):
                return delimiter.join(self.text(item) for item in items)
        return UNKNOWN

    def _ref(self, name: str) -> str:
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        kind = self._wiring.type_of(name)
        if kind == QUEUE_TYPE:
            region, account = PSEUDO_PARAMETERS["AWS::Region"], PSEUDO_PARAMETERS["AWS::AccountId"]
            return f"https://sqs.{region}.amazonaws.com/{account}/{self._queue_name(name)}"
        if kind in TABLE_TYPES:
            return self._table_name(name)
        # Another resource: a name of its own, never a wildcard. A parameter: unknown.
        return f"<{name}>" if kind is not None else UNKNOWN

    def _get_att(self, logical_id: str, attribute: str) -> str:
        kind = self._wiring.type_of(logical_id)
        if attribute == "Arn" and (kind == QUEUE_TYPE or kind in TABLE_TYPES):
            return self.of(logical_id) or UNKNOWN
        if kind == QUEUE_TYPE and attribute == "QueueName":
            return self._queue_name(logical_id)
        if kind == QUEUE_TYPE and attribute == "QueueUrl":
            return self._ref(logical_id)
        return f"<{logical_id}.{attribute}>" if kind is not None else UNKNOWN

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list) and len(argument) == 2:
            text, variables = argument
        else:
            text, variables = argument, {}
        if not isinstance(text, str) or not isinstance(variables, Mapping):
            return UNKNOWN

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return self.text(variables[name])
            if "." in name and name not in PSEUDO_PARAMETERS:
                return self.text({"Fn::GetAtt": name.split(".", 1)})
            return self._ref(name)

        return _SUB_VARIABLE.sub(replace, text)

    def _stand_in(self, service: str, resource: str) -> str:
        partition, region, account = (
            PSEUDO_PARAMETERS[name] for name in ("AWS::Partition", "AWS::Region", "AWS::AccountId")
        )
        return f"arn:{partition}:{service}:{region}:{account}:{resource}"

    def _queue_name(self, logical_id: str) -> str:
        name = self._wiring.properties(logical_id).get("QueueName")
        return self.text(name) if name is not None else f"<{logical_id}.QueueName>"

    def _table_name(self, logical_id: str) -> str:
        properties = self._wiring.properties(logical_id)
        # AWS::Serverless::SimpleTable takes TableName too.
        name = properties.get("TableName")
        return self.text(name) if name is not None else f"<{logical_id}>"


def matches(pattern: str, arn: str) -> bool:
    """IAM's wildcards in a Resource: `*` any run of characters, `?` any one."""
    return _glob(pattern).fullmatch(arn) is not None


def action_matches(pattern: str, action: str) -> bool:
    """An Action pattern (`sqs:SendMessage*`) against one action; IAM ignores their case."""
    return _glob(pattern.lower()).fullmatch(action.lower()) is not None


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), re.DOTALL)
