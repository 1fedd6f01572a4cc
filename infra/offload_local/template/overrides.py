"""`--parameter-overrides`, read as the SAM CLI reads them (samcli.cli.types'
CfnParameterOverridesType), from the command line or samconfig.toml.

- `Key=Value` and `ParameterKey=Key,ParameterValue=Value`, several to a string, separated by
  white space. Quotes group and are removed as a shell removes them: `SenderEmail="a@b.c"` and
  `Name='two words'` give `a@b.c` and `two words` (stdlib shlex, POSIX rules).
- `file://FILE`, an argument of its own: the overrides in a TOML or YAML file (a table of
  `Key: value`, whose `$include` names more files, or a list of `Key=Value` strings). A relative
  path is read from the current directory, or, in a file, from that file's folder.
- samconfig.toml's `parameter_overrides` may be a string, a list of them, or a table.

Where the SAM CLI's reading differs, it is on input it half ignores, dropping pieces without a
word: here a piece that is not an override (`A=1 oops`) is refused, naming it, so a typo never
leaves a parameter at its default unnoticed; `B=2` beside a long form
(`ParameterKey=A,ParameterValue=1 B=2`) is read; quotes inside a value join as in the shell
(`A=x"y z"` is `xy z`, where the SAM CLI keeps `x`); `A=` is an empty value, as `A=""` is.
Backslashes follow the shell (a tab separates as a space does; outside quotes a backslash
escapes any character, so `C:\\dir` is written `'C:\\dir'`), except that `\\'` is a quote in
single quotes too, as in the SAM CLI.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml  # PyYAML, which cfn-lint brings

from offload_local.errors import ParameterError

_FILE = "file://"
#: The readers of override files, by extension (those the SAM CLI reads).
_FILE_TYPES = (".toml", ".yaml", ".yml")
#: CloudFormation's parameter names: alphanumeric.
_KEY = re.compile(r"[A-Za-z0-9]+")
_LONG_FORM = re.compile(r"ParameterKey=(?P<key>[^,]*),ParameterValue=(?P<value>.*)", re.DOTALL)
_EXAMPLES = "Key=Value, ParameterKey=Key,ParameterValue=Value or file://FILE"


def parse_overrides(values: Any) -> dict[str, str]:
    """The overrides in `values` (strings, lists of them, tables), later ones winning."""
    return _Reader().read(values, None)


class _Reader:
    """One reading, which remembers the files it is inside of (a file including itself is an
    error, not a loop)."""

    def __init__(self) -> None:
        self._inside: list[Path] = []

    def read(self, values: Any, within: Path | None) -> dict[str, str]:
        overrides: dict[str, str] = {}
        for value in _flattened(values):
            if isinstance(value, str) and value.startswith(_FILE):
                overrides.update(self._file(value, within))
            elif isinstance(value, str):
                overrides.update(_pairs(value))
            elif isinstance(value, Mapping):
                overrides.update(self._table(value, within))
            elif value is not None:
                raise ParameterError(
                    f"parameter overrides: {value!r} is not {_EXAMPLES}, nor a table of them"
                )
        return overrides

    def _table(self, table: Mapping[Any, Any], within: Path | None) -> dict[str, str]:
        overrides: dict[str, str] = {}
        for key, value in table.items():
            if key == "$include":
                if not isinstance(value, str | list):
                    where = f" in {within}" if within is not None else ""
                    raise ParameterError(
                        f"parameter overrides{where}: $include takes a file://FILE or a list of "
                        f"them, not {value!r}"
                    )
                overrides.update(self.read(value, within))
            elif value is None:
                overrides[str(key)] = ""
            elif isinstance(value, list):
                overrides[str(key)] = ",".join(str(v).strip() for v in value if v not in (None, ""))
            else:
                # As the SAM CLI does: str() of the value (a YAML or TOML true is "True").
                overrides[str(key)] = str(value)
        return overrides

    def _file(self, reference: str, within: Path | None) -> dict[str, str]:
        path = Path(reference.removeprefix(_FILE))
        if not path.is_absolute() and within is not None:
            path = within.parent / path
        path = path.resolve()
        if not path.is_file():
            raise ParameterError(f"parameter overrides {reference}: no such file")
        if path.suffix not in _FILE_TYPES:
            raise ParameterError(
                f"parameter overrides {reference}: a file of overrides is {', '.join(_FILE_TYPES)}"
            )
        if path in self._inside:
            chain = " -> ".join(str(p) for p in [*self._inside, path])
            raise ParameterError(f"parameter overrides include themselves: {chain}")
        self._inside.append(path)
        try:
            return self.read(_load(path), path)
        finally:
            self._inside.pop()


def _load(path: Path) -> Any:
    try:
        text = path.read_text()
        return tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ParameterError(f"parameter overrides file://{path}: {exc}") from None


def _flattened(values: Any) -> Iterable[Any]:
    if isinstance(values, list | tuple):
        for value in values:
            yield from _flattened(value)
    else:
        yield values


def _pairs(text: str) -> dict[str, str]:
    """`Key=Value` and `ParameterKey=Key,ParameterValue=Value` pairs of one string."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""  # a '#' is part of a value, not the start of a comment
    lexer.escapedquotes = "\"'"  # 'it\'s' as the SAM CLI reads it
    try:
        tokens = list(lexer)
    except ValueError as exc:  # an unclosed quote, a trailing backslash
        raise ParameterError(f"parameter overrides {text!r}: {str(exc).lower()}") from None
    return dict(_pair(token) for token in tokens)


def _pair(token: str) -> tuple[str, str]:
    long_form = _LONG_FORM.fullmatch(token)
    if long_form is not None:
        key, value = long_form["key"], long_form["value"]
    else:
        key, equals, value = token.partition("=")
        if not equals:
            raise ParameterError(f"parameter override {token!r} is not {_EXAMPLES}")
    if not _KEY.fullmatch(key):
        raise ParameterError(
            f"parameter override {token!r}: {key!r} is not a parameter name (letters and digits)"
        )
    return key, value
