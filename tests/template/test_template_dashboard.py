"""The CloudWatch dashboard draws what the console draws, from the metrics the worker publishes,
and the template declares the index the rows and the console use."""

from __future__ import annotations

import json
import re
from typing import Any

from offload.front_door import METRICS_NAMESPACE as NAMESPACE
from offload.lifecycle import FAILED_ON, FAILURE_INDEX
from offload_local.template.translation import Translated
from offload_local.webconsole.charts import CHARTS


def dashboard(translated: Translated) -> dict[str, Any]:
    [resource] = translated.of_type("AWS::CloudWatch::Dashboard").values()
    body, variables = resource["Properties"]["DashboardBody"]["Fn::Sub"]
    # ${...} are CloudFormation's; the JSON around them is the dashboard
    text = re.sub(r"\$\{[^}]+\}", "X", body.replace("${Namespace}", variables["Namespace"]))
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def test_the_dashboard_has_the_consoles_charts(translated: Translated) -> None:
    widgets = dashboard(translated)["widgets"]
    titles = {w["properties"]["title"] for w in widgets}

    for chart in CHARTS:
        assert chart.title in titles
        lines = [
            line
            for w in widgets
            if w["properties"]["title"].startswith(chart.title)
            for line in w["properties"]["metrics"]
        ]
        plain = {tuple(line[:4]) for line in lines if isinstance(line[0], str)}
        searched = " ".join(line[0]["expression"] for line in lines if isinstance(line[0], dict))
        for metric in chart.metrics:
            # for all tasks, and a line for each task name
            assert (NAMESPACE, metric, "service", "worker") in plain, metric
            assert f'{{{NAMESPACE},service,task}} MetricName="{metric}"' in searched, metric
    assert {"Queues", "Alarms"} <= titles


def test_the_dashboard_reads_the_workers_namespace(translated: Translated) -> None:
    [resource] = translated.of_type("AWS::CloudWatch::Dashboard").values()
    globals_namespace = {
        function["Properties"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
        for function in translated.of_type("AWS::Lambda::Function").values()
    }
    assert globals_namespace == {NAMESPACE}
    assert resource["Properties"]["DashboardBody"]["Fn::Sub"][1]["Namespace"] == NAMESPACE


def test_every_alarm_is_on_the_dashboard(translated: Translated) -> None:
    [resource] = translated.of_type("AWS::CloudWatch::Dashboard").values()
    body = resource["Properties"]["DashboardBody"]["Fn::Sub"][0]
    assert set(re.findall(r"\$\{(\w+)\.Arn\}", body)) == set(
        translated.of_type("AWS::CloudWatch::Alarm")
    )


def test_the_failure_index_is_the_one_the_rows_and_the_console_use(
    translated: Translated,
) -> None:
    table = translated.resources["DataTable"]["Properties"]
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    index = indexes[FAILURE_INDEX]
    keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}

    assert index["IndexName"] == FAILURE_INDEX
    assert keys == {"HASH": FAILED_ON, "RANGE": "updated_at"}
    # what the console shows of a failure is projected
    assert {"id", "task", "status", "reason", "attempts"} <= set(
        index["Projection"]["NonKeyAttributes"]
    )
