"""Settings that could move token checks off API Gateway have effect only under `sam local`."""

from __future__ import annotations

import pytest

from app.settings import Settings

URL = "http://172.17.0.1:40000/"


@pytest.fixture(autouse=True)
def lambda_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever the machine running the tests has set, start from Lambda's: neither variable.
    monkeypatch.delenv("AWS_SAM_LOCAL", raising=False)
    monkeypatch.delenv("SAM_LOCAL_AUTHORIZER_URL", raising=False)


def test_on_lambda_an_authorizer_url_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    # A deployed function never has the variable (the template declares it AWS::NoValue);
    # even if someone set it by hand, Lambda never sets AWS_SAM_LOCAL.
    monkeypatch.setenv("SAM_LOCAL_AUTHORIZER_URL", URL)

    assert Settings().sam_local_authorizer_url() is None


@pytest.mark.parametrize("value", ["false", "0", "", "True", "yes"])
def test_anything_but_the_sam_clis_true_is_not_sam_local(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SAM_LOCAL_AUTHORIZER_URL", URL)
    monkeypatch.setenv("AWS_SAM_LOCAL", value)

    assert Settings().sam_local_authorizer_url() is None


def test_under_sam_local_the_authorizer_url_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")
    monkeypatch.setenv("SAM_LOCAL_AUTHORIZER_URL", URL)

    assert Settings().sam_local_authorizer_url() == URL


def test_under_sam_local_without_a_url_there_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")

    assert Settings().sam_local_authorizer_url() is None
