"""main.py is FastAPI's background-tasks tutorial, made durable by its imports and one
decorator per task, and nothing else.

The tutorial is the one of the FastAPI docs' "Dependency Injection" section
(https://fastapi.tiangolo.com/tutorial/background-tasks/; the fastapi repository's
docs_src/background_tasks/tutorial002_an_py310.py), to which a FastAPI app on Lambda adds its
Mangum handler. Undoing the change this example makes (the import lines put back as they were,
the decorators and the Mangum lines taken out) must give that file to the byte: its git object
id is recorded here, so the tutorial itself need not be copied.
"""

import hashlib
import re
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1]
#: The tutorial's git blob id in the fastapi repository (`git ls-tree HEAD
#: docs_src/background_tasks/`, at c3f316b7e814667e8ee81e03a7330d00ee61e45c).
TUTORIAL_BLOB = "1fc78fbc95e8430c6f144e2afe00dca1f575fc6b"
#: The change to the imports: each line of main.py, and the tutorial's line it stands for (None:
#: a line the tutorial has not).
IMPORTS = {
    "from fastapi import Depends, FastAPI\n": (
        "from fastapi import BackgroundTasks, Depends, FastAPI\n"
    ),
    "from offload import BackgroundTasks, task\n": None,
}
#: What a FastAPI app on Lambda already had: the adapter, and the handler Lambda calls.
MANGUM = ("from mangum import Mangum\n", "\n\nhandler = Mangum(app)\n")
DECORATOR = re.compile(r'^@task\("[a-z_]+"\)\n(?=def )', re.M)


def git_blob_id(text: str) -> str:
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # noqa: S324 - git's id


def test_main_is_the_tutorial_with_its_imports_changed_and_a_decorator_per_task() -> None:
    main = (EXAMPLE / "src" / "main.py").read_text()
    import_line, handler = MANGUM

    # The change: the import lines, and one decorator above each task's `def`
    assert all(main.count(line) == 1 for line in IMPORTS)
    assert DECORATOR.findall(main) == ['@task("write_log")\n']
    # Undone, it is the tutorial to the byte (with the Lambda handler the app already had)
    assert main.count(import_line) == 1
    assert main.endswith(handler)
    tutorial = DECORATOR.sub("", main)
    for line, was in IMPORTS.items():
        tutorial = tutorial.replace(line, was or "")
    tutorial = tutorial.replace(import_line, "").removesuffix(handler)
    assert git_blob_id(tutorial) == TUTORIAL_BLOB
