"""`--parameter-overrides` read as the SAM CLI reads them: its forms, its files, the same results
as its own parser on the input both read, and a refusal naming the piece it would drop."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from offload_local.errors import ParameterError
from offload_local.template.overrides import parse_overrides

REPO_ROOT = Path(__file__).resolve().parents[3]
SAM_PYTHON = REPO_ROOT / ".venv-sam" / "bin" / "python"

#: Inputs as they come from the command line (one string an argument) or samconfig.toml.
READ_ALIKE: list[tuple[Any, dict[str, str]]] = [
    (["A=1", "B=2"], {"A": "1", "B": "2"}),
    (["A=1 B=x=y"], {"A": "1", "B": "x=y"}),
    (["  A=1   B=2 "], {"A": "1", "B": "2"}),
    (
        ["ParameterKey=A,ParameterValue=1 ParameterKey=B,ParameterValue=2"],
        {"A": "1", "B": "2"},
    ),
    (["ParameterKey=Names,ParameterValue=a,b"], {"Names": "a,b"}),
    (["A=1", "ParameterKey=B,ParameterValue=2"], {"A": "1", "B": "2"}),
    # samconfig.toml's own example, as TOML hands it over: quotes are removed.
    (
        ['SenderEmail="you@example.com" CreateSenderIdentity="true" WorkerTimeout="30"'],
        {"SenderEmail": "you@example.com", "CreateSenderIdentity": "true", "WorkerTimeout": "30"},
    ),
    # Spaces inside quotes, single or double; escaped quotes and spaces.
    (['Subject="two words" Other=x'], {"Subject": "two words", "Other": "x"}),
    (["Subject='two words'"], {"Subject": "two words"}),
    (['ParameterKey=S,ParameterValue="a b"'], {"S": "a b"}),
    (['S="say \\"hi\\""'], {"S": 'say "hi"'}),
    (["S='it\\'s'"], {"S": "it's"}),
    (["S=a\\ b"], {"S": "a b"}),
    (['"Quoted"=1'], {"Quoted": "1"}),
    # What a shell would take for a comment, a list, an empty value: values.
    (["Secret=a#b"], {"Secret": "a#b"}),
    (['Empty=""'], {"Empty": ""}),
    (["Email=é@example.com"], {"Email": "é@example.com"}),
    # The later of two wins.
    (["A=1 A=2"], {"A": "2"}),
    # samconfig.toml's other shapes: a list of strings, a table.
    ([["A=1", "B=2"]], {"A": "1", "B": "2"}),
    ({"A": "1", "Names": ["x ", "y", ""], "Unset": None}, {"A": "1", "Names": "x,y", "Unset": ""}),
]

#: Refused by both.
REFUSED = [["oops"], ["=1"], ["A.b=1"], ['A="unclosed']]


@pytest.mark.parametrize(("values", "expected"), READ_ALIKE)
def test_the_forms_the_sam_cli_reads(values: Any, expected: dict[str, str]) -> None:
    assert parse_overrides(values) == expected


@pytest.mark.skipif(
    not SAM_PYTHON.exists(),
    reason="the SAM CLI's virtualenv is not installed (make .venv-sam/.installed)",
)
def test_the_sam_clis_own_parser_reads_them_alike() -> None:
    # Given the inputs above, read by the SAM CLI's CfnParameterOverridesType (1.170)
    inputs = [values for values, _ in READ_ALIKE] + REFUSED
    result = subprocess.run(  # noqa: S603 - the project's own SAM CLI virtualenv
        [str(SAM_PYTHON), "-c", _SAM_READS],
        input=json.dumps(inputs),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    theirs = json.loads(result.stdout)

    # Then each gives what ours gives, and what ours refuses, theirs does too
    assert theirs == [expected for _, expected in READ_ALIKE] + [None] * len(REFUSED)


_SAM_READS = """
import json, sys
from click.exceptions import BadParameter
from samcli.cli.types import CfnParameterOverridesType

results = []
for values in json.load(sys.stdin):
    try:
        results.append(CfnParameterOverridesType().convert(values, None, None))
    except BadParameter:
        results.append(None)
print(json.dumps(results))
"""


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["oops"], "parameter override 'oops' is not Key=Value, ParameterKey=Key,ParameterValue="),
        # The SAM CLI would read A and drop the rest without a word.
        (["A=1 oops"], "parameter override 'oops' is not Key=Value"),
        (["A=1 Typo.Name=2"], "'Typo.Name=2': 'Typo.Name' is not a parameter name"),
        (["=1"], "'=1': '' is not a parameter name"),
        (['A="unclosed'], r"parameter overrides 'A=\"unclosed': no closing quotation"),
        (["A=1 \\"], "no escaped character"),
        ([3], "parameter overrides: 3 is not Key=Value"),
        (["file://nowhere.toml"], "parameter overrides file://nowhere.toml: no such file"),
    ],
)
def test_what_is_not_an_override_is_refused_naming_it(values: Any, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        parse_overrides(values)


def test_a_file_of_overrides_in_toml_or_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A table of values (YAML's and TOML's types become text as the SAM CLI makes them), a list
    # of Key=Value strings, and includes read from the including file's folder.
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "params.yaml").write_text(
        "SenderEmail: you@example.com\n"
        "WorkerTimeout: 30\n"
        "CreateSenderIdentity: true\n"
        "Names: [a, b]\n"
        "$include: file://more.toml\n"
    )
    (tmp_path / "nested" / "more.toml").write_text('LogLevel = "DEBUG"\nWorkerTimeout = 45\n')
    (tmp_path / "list.yml").write_text("- A=1 B='two words'\n- ParameterKey=C,ParameterValue=3\n")
    monkeypatch.chdir(tmp_path)

    assert parse_overrides(["file://nested/params.yaml"]) == {
        "SenderEmail": "you@example.com",
        "WorkerTimeout": "45",
        "CreateSenderIdentity": "True",
        "Names": "a,b",
        "LogLevel": "DEBUG",
    }
    assert parse_overrides([f"file://{tmp_path / 'list.yml'}", "C=4"]) == {
        "A": "1",
        "B": "two words",
        "C": "4",
    }


def test_a_file_that_cannot_be_read_is_refused_naming_it(tmp_path: Path) -> None:
    loop = tmp_path / "loop.toml"
    loop.write_text('"$include" = "file://loop.toml"\n')
    bad = tmp_path / "bad.toml"
    bad.write_text("A = \n")
    text = tmp_path / "params.txt"
    text.write_text("A=1")
    include = tmp_path / "include.yaml"
    include.write_text("$include: 3\n")

    with pytest.raises(ParameterError, match=r"include themselves: .*loop.toml -> .*loop.toml"):
        parse_overrides([f"file://{loop}"])
    with pytest.raises(ParameterError, match=r"file://.*bad.toml: "):
        parse_overrides([f"file://{bad}"])
    with pytest.raises(ParameterError, match=r"params.txt: a file of overrides is .toml, .yaml"):
        parse_overrides([f"file://{text}"])
    with pytest.raises(ParameterError, match=r"in .*include.yaml: \$include takes a file://FILE"):
        parse_overrides([f"file://{include}"])
