"""A user's own project, written by a test to a folder of its own: a template.yaml made of the
template unit (offload/sam/offload.yaml, as `offload-local template-unit` prints it) with an API
function added and the unit's block for it pasted in, and code in a CodeUri folder beside it
(src/: a FastAPI app through Mangum, and the worker entry point). Nothing of this repository's
template or sample application is in it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from offload_local.commands.template_unit import unit_text

#: The lines around the block a user pastes into their API function.
PASTE_START = "  # >>> offload:"
PASTE_END = "  # <<< offload"
#: Where the unit's worker expects the code: its CodeUri.
CODE_URI = "src"

API_FUNCTION = """\
  ApiFunction:
    Type: AWS::Serverless::Function
    DependsOn: OffloadWorkerFunction
    Properties:
      CodeUri: src/
      Handler: main.handler
      Runtime: python3.13
      Timeout: 15
      Events:
        Api:
          Type: HttpApi
          Properties:
            Path: /{proxy+}
            Method: ANY
"""

#: The user's app: tasks registered with `@task`, added with offload's BackgroundTasks. Each
#: task writes where the request says, so the test sees its effect; `fail` fails every time.
MAIN = """
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from mangum import Mangum
from offload import Backoff, BackgroundTasks, Offload, get_offload, task

app = FastAPI()


@task("note", max_attempts=2, backoff=Backoff(base_seconds=1, cap_seconds=1))
def note(path: str, text: str) -> None:
    if text == "fail":
        raise RuntimeError("asked to fail")
    with Path(path).open("a") as file:
        file.write(text + "\\n")


@app.post("/notes", status_code=202)
async def add_note(path: str, text: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(note, path, text)
    return {"task_ids": background_tasks.task_ids}


@app.get("/tasks/{task_id}")
def status(task_id: str, offload: Annotated[Offload, Depends(get_offload)]):
    row = offload.status(task_id)
    if row is None:
        raise HTTPException(404)
    return {"status": row.status, "attempts": row.attempts}


handler = Mangum(app)
"""

WORKER = """
import main  # noqa: F401  (registers the tasks)
from offload import Offload

handler = Offload.from_environment().lambda_handler()
"""


def unit_api_block(unit: str) -> str:
    """The block the unit says to paste into an API function's Properties, uncommented and
    dedented (Environment, Policies)."""
    lines = unit.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(PASTE_START))
    end = lines.index(PASTE_END)
    body = [line for line in lines[start + 1 : end] if line.startswith("  #   ") or line == "  #"]
    return textwrap.dedent("\n".join(line.removeprefix("  #") for line in body)) + "\n"


def user_template(unit: str | None = None, api: str = API_FUNCTION) -> str:
    """The unit with an API function added, the unit's block pasted under its Properties."""
    unit = unit_text() if unit is None else unit
    function = api + textwrap.indent(unit_api_block(unit), " " * 6)
    head, separator, outputs = unit.partition("\nOutputs:\n")
    assert separator, "the unit has an Outputs section"
    return f"{head.rstrip()}\n\n{function}\nOutputs:\n{outputs}"


def write_project(root: Path, template: str | None = None) -> Path:
    """A user project in `root` (template.yaml, src/main.py, src/worker.py); its template."""
    code = root / CODE_URI
    code.mkdir(parents=True, exist_ok=True)
    (code / "main.py").write_text(MAIN.lstrip())
    (code / "worker.py").write_text(WORKER.lstrip())
    (code / "requirements.txt").write_text("fastapi-lambda-offload\nmangum\n")
    path = root / "template.yaml"
    path.write_text(user_template() if template is None else template)
    return path
