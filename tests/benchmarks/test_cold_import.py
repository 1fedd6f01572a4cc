"""Cold import of each Lambda entry point against the smallest module of the same kind.

Every sample is a fresh interpreter (`-I -B`) importing from a copy of the deployment artifact:
functions/ plus the runtime dependencies it imports, laid out like `sam build`'s output, once as
`sam build` ships it (no .pyc anywhere) and once as `make build` leaves it (compileall,
unchecked-hash). boto3/botocore are not copied: the Lambda runtime provides them, precompiled.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.benchmarks.measure import interleaved, table

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
REPEATS = 9
IMPORTTIME_REPEATS = 3
GOAL = 1.25
TOP = 10
#: The costliest extras are broken down into this many of their own imports, each.
BREAKDOWN = 3
#: An import holding this share of its importer's time is looked through.
DOOR = 0.8
#: Packages the Lambda Python runtime provides (precompiled); never part of the artifact.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
OWN_PACKAGES = frozenset({"api", "app", "offload", "worker"})

MINIMAL_API = '''\
"""The smallest FastAPI app behind Mangum."""

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/")
def root() -> dict[str, str]:
    return {"message": "hello"}


handler = Mangum(app, lifespan="off")
'''

MINIMAL_WORKER = '''\
"""The smallest Powertools SQS batch handler."""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: Any) -> None:
    logger.info(record.body)


def lambda_handler(event: Any, context: Any) -> Any:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
'''

BASELINES = {"bench_minimal_api": MINIMAL_API, "bench_minimal_worker": MINIMAL_WORKER}

#: Run in a fresh interpreter: argv = [artifact root, module]. Prints the import time and modules.
PROBE = """\
import sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
__import__(sys.argv[2])
elapsed = time.perf_counter() - start
import json
print(json.dumps({"ms": elapsed * 1000, "modules": sorted(sys.modules)}))
"""

#: Lists the top-level site-packages entries the given modules import (argv = root, modules...).
CLOSURE = """\
import json, sys, sysconfig
from pathlib import Path
sys.path.insert(0, sys.argv[1])
for name in sys.argv[2:]:
    __import__(name)
roots = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
entries = set()
for module in list(sys.modules.values()):
    path = Path(getattr(module, "__file__", None) or "/").resolve()
    for root in roots:
        if path.is_relative_to(root):
            entries.add(str(root / path.relative_to(root).parts[0]))
print(json.dumps(sorted(entries)))
"""


@dataclass(frozen=True)
class Pairing:
    label: str
    module: str
    baseline: str
    #: Modules this handler must not import at all (reported, not asserted).
    forbidden: tuple[str, ...]


PAIRINGS = [
    Pairing("API", "api.handler", "bench_minimal_api", ("boto3", "botocore")),
    Pairing("worker", "worker.handler", "bench_minimal_worker", ("PIL",)),
]


@dataclass(frozen=True)
class Artifacts:
    source: Path
    compiled: Path

    def scenarios(self) -> list[tuple[str, Path, dict[str, str]]]:
        # On Lambda (LAMBDA_TASK_ROOT set, no AWS_SAM_LOCAL) the tracer is built at import: the
        # X-Ray SDK, and botocore patched. Elsewhere (the local cloud, tests) it is not.
        on_lambda = {"LAMBDA_TASK_ROOT": str(self.compiled)}
        return [
            (".pyc (make build)", self.compiled, {}),
            (".pyc, X-Ray tracing on (Lambda)", self.compiled, on_lambda),
            ("source (sam build)", self.source, {}),
        ]


@dataclass(frozen=True)
class Sample:
    ms: float
    modules: frozenset[str]


@dataclass
class Imported:
    """One line of `-X importtime`: a module, its own and cumulative time, who imported it.

    A name can appear twice: importing `a.b` prints `a` (which may itself import `a.b`) and then
    `a.b` again around it. Lines, not names, are the nodes of the tree.
    """

    name: str
    self_us: float
    cumulative_us: float
    parent: Imported | None = None


@dataclass(frozen=True)
class Tree:
    lines: list[Imported]
    #: What sys.modules held after the import: failed attempts (msvcrt...) are not in it.
    modules: frozenset[str]

    def children(self, node: Imported) -> list[Imported]:
        """What `node` imported itself, costliest first."""
        kids = [n for n in self.lines if n.parent is node]
        return sorted(kids, key=lambda n: n.cumulative_us, reverse=True)

    def first(self, name: str) -> Imported | None:
        return next((n for n in self.lines if n.name == name), None)


def _env() -> dict[str, str]:
    # What a Lambda function sees that matters here; the interpreter itself runs with -I.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def _python(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-I", "-B", *args],
        capture_output=True,
        text=True,
        env=_env() | (env or {}),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def import_once(root: Path, module: str, env: dict[str, str] | None = None) -> Sample:
    data = json.loads(_python("-c", PROBE, str(root), module, env=env).stdout)
    return Sample(float(data["ms"]), frozenset(data["modules"]))


def timed(
    samples: list[Sample], root: Path, module: str, env: dict[str, str] | None = None
) -> Callable[[], float]:
    """A measurement for `interleaved` that keeps each sample."""

    def run() -> float:
        sample = import_once(root, module, env)
        samples.append(sample)
        return sample.ms

    return run


_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)$")


def import_tree(root: Path, module: str) -> Tree:
    """The `-X importtime` tree of one fresh import."""
    result = _python("-X", "importtime", "-c", PROBE, str(root), module)
    lines: list[Imported] = []
    # Children are printed before their parent, indented two more spaces per level.
    pending: dict[int, list[Imported]] = {}
    for text in result.stderr.splitlines():
        match = _LINE.match(text)
        if match is None:
            continue
        depth = (len(match[3]) - 1) // 2
        node = Imported(match[4], float(match[1]), float(match[2]))
        for child in pending.pop(depth + 1, []):
            child.parent = node
        pending.setdefault(depth, []).append(node)
        lines.append(node)
    return Tree(lines, frozenset(json.loads(result.stdout)["modules"]))


def median_tree(root: Path, module: str, repeats: int) -> Tree:
    """Import times as medians over fresh runs (the order of imports is deterministic)."""
    runs = [import_tree(root, module) for _ in range(repeats)]
    first = runs[0]
    same = [r for r in runs if [n.name for n in r.lines] == [n.name for n in first.lines]]
    for index, node in enumerate(first.lines):
        node.self_us = statistics.median(r.lines[index].self_us for r in same)
        node.cumulative_us = statistics.median(r.lines[index].cumulative_us for r in same)
    return first


def _times(node: Imported) -> list[object]:
    return [node.cumulative_us / 1000, node.self_us / 1000]


def _is_own(name: str) -> bool:
    return name.split(".")[0] in OWN_PACKAGES


def extra_imports(tree: Tree, baseline: frozenset[str]) -> list[Imported]:
    """The outermost modules our handler imports beyond the baseline, costliest first.

    Outermost: imported directly by our code or by a module the baseline shares, so the rows do
    not overlap and their cumulative times add up to what the extras cost.
    """
    extras: dict[str, Imported] = {}
    for node in tree.lines:
        if (
            node.name in tree.modules
            and node.name not in baseline
            and not _is_own(node.name)
            and (node.parent is None or _is_own(node.parent.name) or node.parent.name in baseline)
        ):
            known = extras.get(node.name)
            if known is None or node.cumulative_us > known.cumulative_us:
                extras[node.name] = node
    return sorted(extras.values(), key=lambda node: node.cumulative_us, reverse=True)


def breakdown(tree: Tree, node: Imported) -> list[Imported]:
    """Where a costly import goes: its costliest imports, looking through modules that are only
    a door (one import holding most of their time, like a package's `main`)."""
    children = tree.children(node)
    while children and children[0].cumulative_us >= DOOR * node.cumulative_us:
        node, children = children[0], tree.children(children[0])
    return children[:BREAKDOWN]


def chain(node: Imported) -> str:
    """`a <- b <- c`: who imported the module, up to the outermost import."""
    links = [node.name]
    parent = node.parent
    while parent is not None:
        links.append(parent.name)
        parent = parent.parent
    return " <- ".join(links)


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    else:
        shutil.copy2(source, target)


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Artifacts]:
    base = tmp_path_factory.mktemp("cold-import")
    source = base / "source"
    _copy(FUNCTIONS, source)
    for name, text in BASELINES.items():
        (source / f"{name}.py").write_text(text)
    modules = [p.module for p in PAIRINGS] + [p.baseline for p in PAIRINGS]
    # As on Lambda, so the X-Ray SDK the tracer imports there is part of the artifact too.
    closure = _python("-c", CLOSURE, str(source), *modules, env={"LAMBDA_TASK_ROOT": str(source)})
    entries = json.loads(closure.stdout)
    for entry in map(Path, entries):
        if entry.name.split(".")[0] not in RUNTIME_PROVIDED:
            _copy(entry, source / entry.name)
    compiled = base / "compiled"
    _copy(source, compiled)
    # As `make build` does it (invalidation by hash: no source stat on a read-only /var/task).
    _python(
        "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(compiled)
    )
    yield Artifacts(source, compiled)
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.benchmark
@pytest.mark.parametrize("pairing", PAIRINGS, ids=lambda p: p.label)
def test_cold_import(artifacts: Artifacts, pairing: Pairing) -> None:
    rows: list[list[object]] = []
    subject_modules: frozenset[str] = frozenset()
    baseline_modules: frozenset[str] = frozenset()
    for scenario, root, env in artifacts.scenarios():
        baseline_samples: list[Sample] = []
        subject_samples: list[Sample] = []
        paired = interleaved(
            timed(baseline_samples, root, pairing.baseline),
            timed(subject_samples, root, pairing.module, env),
            REPEATS,
        )
        assert all(ms > 0 for ms in paired.baseline + paired.subject)
        assert paired.ratio > 0
        subject_modules = subject_samples[0].modules
        baseline_modules = baseline_samples[0].modules
        rows.append(
            [
                scenario,
                paired.subject_median,
                paired.baseline_median,
                f"{paired.ratio:.2f}x",
                f"<= {GOAL:.2f}x",
                "ok" if paired.ratio <= GOAL else "OVER",
                f"{min(paired.subject):.0f}-{max(paired.subject):.0f}",
            ]
        )

    tree = median_tree(artifacts.compiled, pairing.module, IMPORTTIME_REPEATS)

    print(f"\n\n== Cold import: {pairing.module} vs {pairing.baseline} ==")
    print(f"   median ms of {REPEATS} interleaved fresh interpreters per scenario (-I -B)")
    print(
        table(
            ["artifact", "ours ms", "baseline ms", "ratio", "goal", "verdict", "ours range"],
            rows,
        )
    )
    print(f"\n   {len(subject_modules - baseline_modules)} modules beyond the baseline;", end=" ")
    print_extras(tree, extra_imports(tree, baseline_modules))
    print_checks(pairing, tree, subject_modules)


def print_extras(tree: Tree, extras: list[Imported]) -> None:
    print(f"top {TOP} outermost by cumulative import time (.pyc, median of {IMPORTTIME_REPEATS}):")
    rows: list[list[object]] = []
    for rank, node in enumerate(extras[:TOP]):
        rows.append([node.name, *_times(node), node.parent.name if node.parent else "-"])
        if rank < BREAKDOWN:
            rows += [[f"  > {c.name}", *_times(c), ""] for c in breakdown(tree, node)]
    print(table(["module", "cumul ms", "self ms", "imported by"], rows))
    total = sum(n.cumulative_us for n in extras) / 1000
    print(f"   all {len(extras)} outermost extras together: {total:.0f} ms")
    own = sorted((n for n in tree.lines if _is_own(n.name)), key=lambda n: n.self_us, reverse=True)
    print(
        f"   our own modules' bodies (self time, imports excluded): "
        f"{sum(n.self_us for n in own) / 1000:.0f} ms in all; "
        + ", ".join(f"{n.name} {n.self_us / 1000:.1f}" for n in own[:5])
    )


def print_checks(pairing: Pairing, tree: Tree, subject_modules: frozenset[str]) -> None:
    for name in pairing.forbidden:
        loaded = sorted(m for m in subject_modules if m == name or m.startswith(f"{name}."))
        verdict = "no (ok)" if not loaded else f"YES: {len(loaded)} module(s): {', '.join(loaded)}"
        print(f"   check: {pairing.module} imports {name}? {verdict}")
        culprit = tree.first(loaded[0]) if loaded else None
        if culprit is not None:
            print(f"          via {chain(culprit)}")
