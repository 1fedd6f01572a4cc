"""Whatever a user sends (any JSON dataset, any bytes as a file of any declared type), the work
done on it either succeeds or says why the input cannot be used: no exception escapes that the
worker would take for a passing failure and retry, then dead-letter.

Properties, not examples: hypothesis generates the inputs.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from app.data_summary import InvalidDataError, summarize
from app.uploads import examination, policy
from app.uploads.datafiles import summarize_csv, summarize_json
from app.uploads.images import PILLOW_FORMATS, ImageRejectedError, make_thumbnails
from app.uploads.storage import Download

T = TypeVar("T")
E = TypeVar("E", bound=Exception)


def outcome(work: Callable[[], T], refusal: type[E]) -> T | E:
    """What `work` returns, or the refusal it raises; any other exception fails the test."""
    try:
        return work()
    except refusal as exc:
        return exc


#: DynamoDB's item limit: a summary must fit in the record it is stored in.
MAX_ITEM_BYTES = 400 * 1024

json_values = st.recursive(
    st.none()
    | st.booleans()
    # Integers far beyond a float's range, and floats at its edges.
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
datasets = st.lists(st.dictionaries(st.text(max_size=250), json_values, max_size=12), max_size=30)


@settings(max_examples=300, deadline=None)
@given(records=datasets)
def test_any_json_dataset_is_summarised_or_refused_with_a_reason(
    records: list[dict[str, Any]],
) -> None:
    summary = outcome(lambda: summarize(records), InvalidDataError)

    if isinstance(summary, InvalidDataError):
        assert str(summary)
    else:
        assert summary.records == len(records)
        assert len(summary.model_dump_json().encode()) < MAX_ITEM_BYTES


def test_the_widest_dataset_the_api_takes_still_fits_its_record() -> None:
    # 100 fields of 200-character names, each with five distinct 100-character top values
    records = [
        {f"{f:03d}" + "k" * 197: f"{r:03d}" + "v" * 200 for f in range(100)} for r in range(5)
    ]

    summary = summarize(records)

    assert len(summary.model_dump_json().encode()) < MAX_ITEM_BYTES


def images() -> st.SearchStrategy[bytes]:
    """Real images of every accepted format, then damaged: truncated or with bytes changed."""

    def encode(fmt: str, width: int, height: int) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (width, height), (10, 200, 30)).save(out, format=fmt)
        return out.getvalue()

    originals = st.builds(
        encode,
        st.sampled_from(sorted(PILLOW_FORMATS.values())),
        st.integers(1, 64),
        st.integers(1, 64),
    )

    def damage(data: bytes, cut: int, flips: list[tuple[int, int]]) -> bytes:
        damaged = bytearray(data[: max(1, len(data) - cut)])
        for position, value in flips:
            damaged[position % len(damaged)] = value
        return bytes(damaged)

    return st.builds(
        damage,
        originals,
        st.integers(0, 200),
        st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    )


@pytest.fixture(autouse=True)
def pillow_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # make_thumbnails sets Pillow's process-wide limit; each test starts from the default.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=images() | st.binary(max_size=2048), content_type=st.sampled_from(sorted(PILLOW_FORMATS))
)
def test_any_bytes_as_an_image_give_thumbnails_or_a_reason(data: bytes, content_type: str) -> None:
    thumbnails = outcome(
        lambda: make_thumbnails(io.BytesIO(data), content_type), ImageRejectedError
    )

    if isinstance(thumbnails, ImageRejectedError):
        assert thumbnails.reason.code in {"image_unreadable", "image_too_large"}
    else:
        assert [t.size for t, _ in thumbnails] == [128, 512]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=4096) | st.text(max_size=2000).map(str.encode))
def test_any_bytes_as_a_data_file_give_a_summary_or_a_reason(data: bytes) -> None:
    for parse in (lambda: summarize_csv(io.BytesIO(data)), lambda: summarize_json(data)):
        result = outcome(parse, InvalidDataError)
        assert str(result) if isinstance(result, InvalidDataError) else result[0]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=images()
    | st.binary(max_size=2048)
    | st.lists(st.dictionaries(st.text(max_size=5), json_values, max_size=3), max_size=5).map(
        lambda records: json.dumps(records).encode()
    ),
    declared=st.none() | st.sampled_from(sorted(policy.ALLOWED_CONTENT_TYPES)),
)
def test_any_file_of_any_declared_type_ends_ready_or_failed_with_a_reason(
    data: bytes, declared: str | None
) -> None:
    # Given the worker's whole examination of a file (its storing is S3's business)
    download = Download(file=io.BytesIO(data), size=len(data), sha256="0" * 64)

    found = examination.examine("f" * 32, download, declared)

    # Then it returned (nothing raised): ready, or failed with a public reason
    if found.reason is not None:
        assert found.reason.code in {
            "invalid_data",
            "file_mismatch",
            "image_unreadable",
            "image_too_large",
        }
        assert found.thumbnails == []
