"""main.py is FastAPI's background-tasks tutorial, made durable by its imports and one
decorator per task, and nothing else:

- before.py is the tutorial as the FastAPI docs give it ("Dependency Injection",
  https://fastapi.tiangolo.com/tutorial/background-tasks/; the fastapi repository's
  docs_src/background_tasks/tutorial002_an_py310.py), with the Mangum handler the app already
  had for Lambda: its two lines taken out, it is that file to the byte (git's object id);
- main.py differs from before.py only in its import lines and in `@task("...")` lines, each
  right above a `def`.
"""

import hashlib
import re
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1]
#: The tutorial's git blob id in the fastapi repository (`git ls-tree HEAD
#: docs_src/background_tasks/`, at c3f316b7e814667e8ee81e03a7330d00ee61e45c).
TUTORIAL_BLOB = "1fc78fbc95e8430c6f144e2afe00dca1f575fc6b"
#: What a FastAPI app on Lambda already had: the adapter, and the handler Lambda calls.
MANGUM = ("from mangum import Mangum\n", "\n\nhandler = Mangum(app)\n")
DECORATOR = re.compile(r'^@task\("[a-z_]+"\)$')


def git_blob_id(text: str) -> str:
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's id


def lines(name: str) -> list[str]:
    return (EXAMPLE / name).read_text().splitlines()


def is_import(line: str) -> bool:
    return line.startswith(("from ", "import "))


def test_before_is_the_tutorial_with_its_lambda_handler() -> None:
    before = (EXAMPLE / "before.py").read_text()
    import_line, handler = MANGUM

    assert before.count(import_line) == 1
    assert before.endswith(handler)
    tutorial = before.replace(import_line, "").removesuffix(handler)
    assert git_blob_id(tutorial) == TUTORIAL_BLOB


def test_main_changes_only_imports_and_adds_one_decorator_per_task() -> None:
    before, main = lines("before.py"), lines("src/main.py")

    # Everything but the import lines, in order; then each added decorator checked in place.
    kept_before = [line for line in before if not is_import(line)]
    kept_main = [line for line in main if not is_import(line) and not DECORATOR.match(line)]
    decorated = [main[i + 1] for i, line in enumerate(main) if DECORATOR.match(line)]

    assert kept_main == kept_before
    assert decorated == ["def write_log(message: str):"]
    assert "from offload import BackgroundTasks, task" in main
    assert not any("BackgroundTasks" in line for line in main if line.startswith("from fastapi"))
