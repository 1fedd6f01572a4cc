"""The banner's notes: one line for what is said of several resources alike."""

from __future__ import annotations

from offload_local.banner import grouped


def test_notes_saying_the_same_of_many_resources_are_one_line() -> None:
    notes = [f"Permission{i}: recorded only: invoked directly" for i in range(5)] + [
        "Bucket: policy not applied",
        "parameter SenderEmail=x",
        "A: same text",
        "B: same text",
    ]

    assert grouped(notes) == [
        "Permission0 and 4 more: recorded only: invoked directly",
        "Bucket: policy not applied",
        "parameter SenderEmail=x",
        "A, B: same text",
    ]
