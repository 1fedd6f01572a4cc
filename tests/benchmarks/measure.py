"""Interleaved measurement and plain-text tables for the benchmarks."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Paired:
    """Repeated measurements of a baseline and a subject, taken alternately."""

    baseline: list[float]
    subject: list[float]

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)

    @property
    def subject_median(self) -> float:
        return statistics.median(self.subject)

    @property
    def ratio(self) -> float:
        """Subject over baseline, medians of each."""
        return self.subject_median / self.baseline_median


def interleaved(
    baseline: Callable[[], float], subject: Callable[[], float], repeats: int
) -> Paired:
    """Run both `repeats` times in ABBA order, so slow drifts of a noisy machine hit both alike."""
    base: list[float] = []
    subj: list[float] = []
    for repeat in range(repeats):
        if repeat % 2:
            subj.append(subject())
            base.append(baseline())
        else:
            base.append(baseline())
            subj.append(subject())
    return Paired(base, subj)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns aligned: the first to the left, the others (figures) to the right."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        first, *rest = row
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"
    return str(value)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0 < q < 100) of at least two values, interpolated between samples."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]
