from __future__ import annotations

from app.search import words


def test_words_are_lowercased_deduplicated_and_filtered() -> None:
    assert words("The Blue teapot, a BLUE cup! x") == {"blue", "teapot", "cup"}


def test_unicode_words_are_kept() -> None:
    assert words("Crème brûlée") == {"crème", "brûlée"}


def test_only_stop_words_give_nothing() -> None:
    assert words("the and of") == set()
