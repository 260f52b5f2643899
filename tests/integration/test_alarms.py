"""`oraculum alarms` (ops/alarms.py) against moto's server on 127.0.0.1: Lambda functions and
HTTP APIs made there, alarms planned, applied, updated, pruned and destroyed, and both halves
of `alarms test` (moto keeps metric-math alarms and delivers SNS to SQS on a publish, but a
state change never publishes, and it never evaluates an alarm against its data).

The alarms on served failures (ServerErrors, the API's 5xx) are proven to fire on moto with
`CloudWatchEvaluates` below playing the one part of CloudWatch moto lacks: it reads each
alarm's own metric from moto (namespace, name, the whole dimension set, statistic, period)
and, when it crosses the threshold, moves the alarm to ALARM and publishes CloudWatch's
notification to its topic. The data points are what the router (through observability's
EMF line) and API Gateway really publish. The whole chain on CloudWatch itself runs only
against live AWS, in the last tests here, skipped without real credentials and
ORACULUM_LIVE_ALARMS=1.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from oraculum.ops import alarms

ALARMS_PY = Path(alarms.__file__)
TOPIC = "ops-alarms"
KINDS = ("concurrency", "duration-p99", "error-rate", "throttles")


def _zip(source: str, path: str = "handler.py") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(path, source)
    return buf.getvalue()


@pytest.fixture
def make_function(aws: str) -> Callable[..., str]:
    """Create a Lambda function on moto (never invoked: moto would need docker for that)."""
    role = boto3.client("iam").create_role(
        RoleName="oraculum-test", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
    )["Role"]["Arn"]
    code = _zip("def handler(event, context):\n    return {}\n")

    def make(name: str, timeout: int = 28, reserved: int | None = None, *,
             handler: str = "handler.handler", env: dict[str, str] | None = None,
             **tags: str) -> str:  # fmt: skip
        lam = boto3.client("lambda")
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler=handler,
            Code={"ZipFile": code}, Timeout=timeout, Architectures=["arm64"], Tags=tags,
            Environment={"Variables": env or {}},
        )  # fmt: skip
        if reserved is not None:
            lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
        return name

    return make


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = alarms.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def our_alarms() -> dict[str, dict[str, Any]]:
    pages = boto3.client("cloudwatch").get_paginator("describe_alarms").paginate()
    return {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}


def topic_arn(name: str = TOPIC) -> str:
    return f"arn:aws:sns:us-east-1:123456789012:{name}"


def names(*functions: str) -> set[str]:
    return {f"oraculum/{fn}/{kind}" for fn in functions for kind in KINDS}


@pytest.fixture
def two_functions(make_function: Callable[..., str]) -> tuple[str, str]:
    return make_function("oraculum-tarot", 28, 10), make_function("batch-job", 60)


APPLY = ("apply", "--topic-name", TOPIC, "--account-concurrency", "1000")


# ---------------------------------------------------------------- plan
def test_plan_on_a_clean_account_lists_every_alarm_and_changes_nothing(capsys, two_functions):
    code, out, err = run(capsys, "plan", "--topic-name", TOPIC)
    assert code == 0, err
    assert f"Topic: {topic_arn()} (will be created)" in out
    listed = {line.split()[1] for line in out.splitlines() if line.startswith("create ")}
    assert listed == names(*two_functions)
    assert "Plan: 8 to create, 0 to update, 0 to delete, 0 unchanged." in out
    assert "GetAccountSettings failed" in err  # moto has no GetAccountSettings: the default
    assert our_alarms() == {} and boto3.client("sns").list_topics()["Topics"] == []


def test_plan_json_carries_thresholds_and_reasons(capsys, two_functions):
    code, out, _ = run(capsys, "plan", "--topic-name", TOPIC, "--json",
                       "--account-concurrency", "500")  # fmt: skip
    plan = json.loads(out)
    assert code == 0 and plan["topic"] == {
        "arn": topic_arn(), "name": TOPIC, "exists": False, "email": None,
        "email_subscribed": None}  # fmt: skip
    got = {(c["action"], c["alarm"]): c["threshold"] for c in plan["changes"]}
    assert got == {
        ("create", "oraculum/oraculum-tarot/error-rate"): 1.0,
        ("create", "oraculum/oraculum-tarot/duration-p99"): 22400.0,  # 80 % of 28 s
        ("create", "oraculum/oraculum-tarot/throttles"): 0.0,
        ("create", "oraculum/oraculum-tarot/concurrency"): 8.0,  # 80 % of reserved 10
        ("create", "oraculum/batch-job/error-rate"): 1.0,
        ("create", "oraculum/batch-job/duration-p99"): 25000.0,  # the 25 s cap
        ("create", "oraculum/batch-job/throttles"): 0.0,
        ("create", "oraculum/batch-job/concurrency"): 400.0,  # 80 % of the account's 500
    }
    assert plan["summary"] == {"create": 8, "update": 0, "delete": 0, "conflict": 0,
                               "unchanged": 0}  # fmt: skip
    assert plan["warnings"] == []


# ---------------------------------------------------------------- apply
def test_apply_makes_exactly_the_expected_alarms(capsys, two_functions):
    code, out, err = run(capsys, *APPLY)
    assert code == 0, err
    assert f"created topic {topic_arn()}" in out
    made = our_alarms()
    assert set(made) == names(*two_functions)
    for alarm in made.values():
        assert alarm["AlarmActions"] == alarm["OKActions"] == [topic_arn()]
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == 1
        tags = boto3.client("cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"])
        assert {"Key": "oraculum:managed-by", "Value": "oraculum-alarms"} in tags["Tags"]

    rate = made["oraculum/oraculum-tarot/error-rate"]
    assert rate["Threshold"] == 1.0
    queries = {q["Id"]: q for q in rate["Metrics"]}
    assert queries["error_rate"]["Expression"] == "100 * errors / invocations"
    assert queries["error_rate"]["ReturnData"] is True
    for ident, metric in (("errors", "Errors"), ("invocations", "Invocations")):
        stat = queries[ident]["MetricStat"]
        assert queries[ident]["ReturnData"] is False
        assert (stat["Metric"]["MetricName"], stat["Stat"], stat["Period"]) == (metric, "Sum", 60)
        assert stat["Metric"]["Dimensions"] == [{"Name": "FunctionName", "Value": "oraculum-tarot"}]

    duration = made["oraculum/oraculum-tarot/duration-p99"]
    assert (duration["MetricName"], duration["ExtendedStatistic"]) == ("Duration", "p99")
    assert duration["Threshold"] == 22400.0
    assert made["oraculum/batch-job/duration-p99"]["Threshold"] == 25000.0
    throttles = made["oraculum/batch-job/throttles"]
    assert (throttles["MetricName"], throttles["Statistic"], throttles["Threshold"]) == (
        "Throttles", "Sum", 0.0)  # fmt: skip
    concurrency = made["oraculum/oraculum-tarot/concurrency"]
    assert (concurrency["MetricName"], concurrency["Statistic"]) == (
        "ConcurrentExecutions", "Maximum")  # fmt: skip
    assert concurrency["Threshold"] == 8.0
    assert made["oraculum/batch-job/concurrency"]["Threshold"] == 800.0


def test_a_second_apply_changes_nothing(capsys, two_functions):
    assert run(capsys, *APPLY)[0] == 0
    before = {n: a["AlarmConfigurationUpdatedTimestamp"] for n, a in our_alarms().items()}
    code, out, _ = run(capsys, *APPLY)
    assert code == 0
    assert "Applied: 0 to create, 0 to update, 0 to delete, 8 unchanged." in out
    assert "created" not in out and "updated" not in out
    after = {n: a["AlarmConfigurationUpdatedTimestamp"] for n, a in our_alarms().items()}
    assert after == before  # not one PutMetricAlarm
    assert run(capsys, "plan", "--topic-name", TOPIC, "--check",
               "--account-concurrency", "1000")[0] == 0  # fmt: skip


def test_a_changed_function_is_updated_and_plan_check_says_so(capsys, two_functions):
    run(capsys, *APPLY)
    boto3.client("lambda").update_function_configuration(FunctionName="oraculum-tarot", Timeout=5)
    code, out, _ = run(capsys, "plan", "--topic-name", TOPIC, "--check",
                       "--account-concurrency", "1000")  # fmt: skip
    assert code == alarms.EXIT_PENDING
    line = next(x for x in out.splitlines() if x.startswith("update "))
    assert "oraculum/oraculum-tarot/duration-p99" in line and "Threshold: 22400 -> 4000" in line
    assert run(capsys, *APPLY)[0] == 0
    assert our_alarms()["oraculum/oraculum-tarot/duration-p99"]["Threshold"] == 4000.0


def test_alarms_of_a_deleted_function_are_pruned(capsys, two_functions):
    run(capsys, *APPLY)
    boto3.client("lambda").delete_function(FunctionName="batch-job")
    code, out, _ = run(capsys, "plan", "--topic-name", TOPIC, "--account-concurrency", "1000")
    deletes = [x for x in out.splitlines() if x.startswith("delete ")]
    assert code == 0 and len(deletes) == 4
    assert all("its function no longer exists" in x for x in deletes)
    code, out, _ = run(capsys, *APPLY)
    assert code == 0 and "deleted oraculum/batch-job/throttles" in out
    assert set(our_alarms()) == names("oraculum-tarot")


def test_function_tags_override_thresholds_or_switch_alarms_off(capsys, make_function):
    make_function("tuned", 10, 20, **{
        "oraculum:alarms:error-rate-percent": "5",
        "oraculum:alarms:duration-p99-ms": "1500",
        "oraculum:alarms:throttles": "2",
        "oraculum:alarms:concurrency-percent": "50",
    })  # fmt: skip
    make_function("sloppy", 10, **{"oraculum:alarms:throttles": "many"})
    make_function("stack-made", 10, **{"oraculum:alarms": "off"})
    code, _, err = run(capsys, *APPLY)
    assert code == 0
    made = our_alarms()
    assert set(made) == names("tuned", "sloppy")
    assert {k: made[f"oraculum/tuned/{k}"]["Threshold"] for k in KINDS} == {
        "error-rate": 5.0, "duration-p99": 1500.0, "throttles": 2.0, "concurrency": 10.0}  # fmt: skip
    assert made["oraculum/sloppy/throttles"]["Threshold"] == 0.0
    assert "sloppy: tag oraculum:alarms:throttles='many' is not a number" in err
    assert "tag oraculum:alarms:error-rate-percent" in made["oraculum/tuned/error-rate"][
        "AlarmDescription"]  # fmt: skip

    # switching a function off later prunes the alarms it had
    lam = boto3.client("lambda")
    arn = lam.get_function(FunctionName="sloppy")["Configuration"]["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"oraculum:alarms": "off"})
    code, _, _ = run(capsys, *APPLY)
    assert code == 0 and set(our_alarms()) == names("tuned")


def test_prefix_and_tag_filters_narrow_the_scope(capsys, make_function):
    make_function("oraculum-a", 10)
    make_function("oraculum-b", 10, team="stars")
    make_function("other", 10, team="stars")
    assert run(capsys, *APPLY, "--prefix", "oraculum-")[0] == 0
    assert set(our_alarms()) == names("oraculum-a", "oraculum-b")
    code, out, _ = run(capsys, *APPLY, "--tag", "team=stars")
    assert code == 0
    # `other` joins; oraculum-a is out of this scope, so its alarms are left as they are
    assert set(our_alarms()) == names("oraculum-a", "oraculum-b", "other")
    code, out, _ = run(capsys, "plan", "--topic-name", TOPIC, "--prefix", "oraculum-",
                       "--tag", "team=stars", "--account-concurrency", "1000")  # fmt: skip
    assert "Functions: 1 in scope (prefix 'oraculum-', tag team=stars)" in out


def test_destroy_removes_only_ours(capsys, two_functions):
    cw = boto3.client("cloudwatch")
    foreign = {
        "AlarmName": "oraculum/hand-made/error-rate",  # our prefix, but not our tag
        "Namespace": "AWS/Lambda", "MetricName": "Errors", "Statistic": "Sum", "Period": 60,
        "EvaluationPeriods": 1, "Threshold": 5.0, "ComparisonOperator": "GreaterThanThreshold",
    }  # fmt: skip
    cw.put_metric_alarm(**foreign)
    cw.put_metric_alarm(**{**foreign, "AlarmName": "billing-alarm"})
    run(capsys, *APPLY)
    code, out, _ = run(capsys, "destroy", "--prefix", "batch")
    assert code == 0 and "Destroyed: 4 alarm(s)." in out
    assert set(our_alarms()) == names("oraculum-tarot") | {foreign["AlarmName"], "billing-alarm"}
    code, out, _ = run(capsys, "destroy", "--topic-name", TOPIC, "--delete-topic")
    assert code == 0 and f"deleted topic {topic_arn()}" in out
    assert set(our_alarms()) == {foreign["AlarmName"], "billing-alarm"}
    assert boto3.client("sns").list_topics()["Topics"] == []


def test_an_alarm_of_our_name_that_is_not_ours_is_a_conflict(capsys, make_function):
    make_function("tarot", 10)
    boto3.client("cloudwatch").put_metric_alarm(
        AlarmName="oraculum/tarot/throttles", Namespace="AWS/Lambda", MetricName="Throttles",
        Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=9.0,
        ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    code, _, err = run(capsys, *APPLY)
    assert code == alarms.EXIT_FAILED
    assert "not ours and were left alone: oraculum/tarot/throttles" in err
    assert our_alarms()["oraculum/tarot/throttles"]["Threshold"] == 9.0


def test_a_topic_it_did_not_make_is_reused_and_never_deleted(capsys, two_functions):
    arn = boto3.client("sns").create_topic(Name="team-pager")["TopicArn"]
    code, out, _ = run(capsys, "apply", "--topic-arn", arn, "--account-concurrency", "1000")
    assert code == 0 and "created topic" not in out
    assert {a["AlarmActions"][0] for a in our_alarms().values()} == {arn}
    code, _, err = run(capsys, "destroy", "--topic-arn", arn, "--delete-topic")
    assert code == alarms.EXIT_FAILED and "was not created by this tool" in err
    assert boto3.client("sns").list_topics()["Topics"] == [{"TopicArn": arn}]


def test_a_missing_topic_arn_is_refused(capsys, two_functions):
    code, _, err = run(capsys, "apply", "--topic-arn", topic_arn("nope"))
    assert code == alarms.EXIT_FAILED and "does not exist (--topic-name creates one)" in err
    assert our_alarms() == {}


def test_email_subscription_is_planned_then_made_once(capsys, two_functions):
    _, out, _ = run(capsys, "plan", "--topic-name", TOPIC, "--email", "ops@example.com")
    assert "E-mail: ops@example.com will be subscribed" in out
    run(capsys, *APPLY, "--email", "ops@example.com")
    run(capsys, *APPLY, "--email", "ops@example.com")
    subs = boto3.client("sns").list_subscriptions_by_topic(TopicArn=topic_arn())["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("email", "ops@example.com")]


USAGE_ERRORS = [
    ["plan"],
    ["test", "--topic-name", "t", "--alarm", "a", "--publish"],
    ["apply", "--tag", "x"],
    ["destroy", "--delete-topic"],
]


@pytest.mark.parametrize("argv", USAGE_ERRORS)
def test_usage_errors_exit_2(capsys, aws, argv):
    assert alarms.main(argv) == alarms.EXIT_USAGE


# ---------------------------------------------------------------- `alarms test`
def _probes_left() -> list[str]:
    return boto3.client("sqs").list_queues(QueueNamePrefix=alarms.PROBE_PREFIX).get("QueueUrls", [])


def _queue_subscriptions(topic: str) -> list[dict[str, Any]]:
    subs = boto3.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    return [s for s in subs if s["Protocol"] == "sqs"]


def test_state_change_is_recorded_but_nothing_arrives_so_it_fails_clearly(capsys, two_functions):
    """moto records SetAlarmState and never publishes it: the probe times out, says why,
    exits 1 and removes its queue and subscription."""
    run(capsys, *APPLY)
    started = time.monotonic()
    code, out, err = run(capsys, "test", "--topic-name", TOPIC, "--timeout", "2",
                         "--settle", "0")  # fmt: skip
    assert code == alarms.EXIT_FAILED
    assert time.monotonic() - started < 30
    assert "state change recorded: oraculum/batch-job/error-rate is ALARM" in out
    assert "no notification reached the probe queue within 2 s" in err
    alarm = our_alarms()["oraculum/batch-job/error-rate"]
    assert alarm["StateValue"] == "ALARM" and "oraculum alarms test" in alarm["StateReason"]
    assert "cleaned up: the probe queue" in out
    assert _probes_left() == [] and _queue_subscriptions(topic_arn()) == []


def test_a_message_published_to_the_topic_reaches_the_probe_queue(capsys, two_functions):
    run(capsys, *APPLY)
    code, out, err = run(capsys, "test", "--topic-name", TOPIC, "--publish", "--timeout", "20",
                         "--settle", "0")  # fmt: skip
    assert code == 0, err
    assert "notification received after" in out and "oraculum alarms test" in out
    assert _probes_left() == [] and _queue_subscriptions(topic_arn()) == []


def test_a_named_alarm_must_notify_the_topic(capsys, two_functions):
    run(capsys, *APPLY)
    boto3.client("sns").create_topic(Name="elsewhere")
    code, _, err = run(capsys, "test", "--topic-name", "elsewhere",
                       "--alarm", "oraculum/batch-job/throttles", "--settle", "0")  # fmt: skip
    assert code == 1 and "does not notify" in err
    assert _probes_left() == []


def test_without_alarms_or_topic_the_test_says_what_to_do_first(capsys, two_functions):
    code, _, err = run(capsys, "test", "--topic-name", TOPIC)
    assert code == 1 and "run `apply` first" in err
    boto3.client("sns").create_topic(Name=TOPIC)
    code, _, err = run(capsys, "test", "--topic-name", TOPIC)
    assert code == 1 and "no alarm of ours notifies" in err
    code, _, err = run(capsys, "test", "--topic-name", TOPIC, "--invoke", "batch-job")
    assert code == 1 and "no alarm on the Errors of batch-job notifies" in err


# ---------------------------------------------------------------- served failures
ROUTER = "oraculum.api.aws_lambda.handlers"


def function_arn(name: str) -> str:
    return boto3.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def http_api(name: str, *uris: str, **tags: str) -> str:
    """An HTTP API on moto with one Lambda proxy integration per URI; its id."""
    gw = boto3.client("apigatewayv2")
    api = gw.create_api(Name=name, ProtocolType="HTTP", Tags=tags)["ApiId"]
    for uri in uris:
        gw.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=uri,
                              PayloadFormatVersion="2.0")  # fmt: skip
    return api


def invocation_uri(name: str) -> str:
    """The other way an integration names its function (SAM's, from OpenAPI)."""
    return ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"{function_arn(name)}:live/invocations")  # fmt: skip


def tags_of(alarm: dict[str, Any]) -> dict[str, str]:
    listed = boto3.client("cloudwatch").list_tags_for_resource(ResourceARN=alarm["AlarmArn"])
    return {t["Key"]: t["Value"] for t in listed["Tags"]}


def emf_line(**counts: tuple[float, dict[str, str]]) -> dict[str, Any]:
    """The EMF line observability writes for these data points (one request's flush)."""
    from oraculum import observability

    observability.flush()
    out = io.StringIO()
    real, sys.stdout = sys.stdout, out
    try:
        for name, (value, dimensions) in counts.items():
            observability.count(name, value, **dimensions)
        observability.flush()
    finally:
        sys.stdout = real
    return json.loads(out.getvalue().strip().splitlines()[-1])


def publish_emf(line: dict[str, Any]) -> None:
    """What CloudWatch does with an EMF line in a log stream: each metric of each directive
    becomes a data point on its namespace, name and dimension set (values from the line)."""
    cw = boto3.client("cloudwatch")
    for directive in line["_aws"]["CloudWatchMetrics"]:
        for dimension_set in directive["Dimensions"]:
            dims = [{"Name": d, "Value": str(line[d])} for d in dimension_set]
            data = [{"MetricName": m["Name"], "Dimensions": dims, "Values": line[m["Name"]],
                     "Unit": m.get("Unit", "None")} for m in directive["Metrics"]]  # fmt: skip
            cw.put_metric_data(Namespace=directive["Namespace"], MetricData=data)


class CloudWatchEvaluates:
    """The part of CloudWatch moto lacks, for the single-metric alarms: each tick, an alarm
    whose own metric crosses its threshold goes to ALARM, and its topics get CloudWatch's
    notification. The metric is matched as CloudWatch matches it (namespace, name and the
    whole dimension set: ListMetrics, then GetMetricData), independently of ops/alarms.py."""

    def __init__(self, tick_s: float = 0.3) -> None:
        self.tick_s = tick_s
        self.fired: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> CloudWatchEvaluates:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        cw, sns = boto3.client("cloudwatch"), boto3.client("sns")
        while not self._stop.wait(self.tick_s):
            for alarm in cw.describe_alarms(AlarmTypes=["MetricAlarm"])["MetricAlarms"]:
                if "MetricName" in alarm and alarm["StateValue"] != "ALARM":
                    value = self._value(cw, alarm)
                    if value is not None and value > alarm["Threshold"]:
                        self._fire(cw, sns, alarm, value)

    @staticmethod
    def _value(cw: Any, alarm: dict[str, Any]) -> float | None:
        dims = sorted((d["Name"], d["Value"]) for d in alarm.get("Dimensions", []))
        listed = cw.list_metrics(Namespace=alarm["Namespace"], MetricName=alarm["MetricName"])
        if not any(sorted((d["Name"], d["Value"]) for d in m.get("Dimensions", [])) == dims
                   for m in listed["Metrics"]):  # fmt: skip
            return None
        now = datetime.now(UTC)
        stat = {"Metric": {k: alarm[k] for k in ("Namespace", "MetricName", "Dimensions")},
                "Period": alarm["Period"], "Stat": alarm["Statistic"]}  # fmt: skip
        got = cw.get_metric_data(
            MetricDataQueries=[{"Id": "m", "MetricStat": stat}],
            StartTime=now - timedelta(minutes=3), EndTime=now + timedelta(minutes=1),
        )  # fmt: skip
        values = [v for r in got["MetricDataResults"] for v in r["Values"]]
        return max(values) if values else None

    def _fire(self, cw: Any, sns: Any, alarm: dict[str, Any], value: float) -> None:
        name, threshold = alarm["AlarmName"], alarm["Threshold"]
        reason = (f"Threshold Crossed: 1 datapoint [{value}] was greater than the threshold "
                  f"({threshold}).")  # fmt: skip
        cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason=reason)
        message = {
            "AlarmName": name, "AlarmDescription": alarm.get("AlarmDescription"),
            "NewStateValue": "ALARM", "NewStateReason": reason,
            "OldStateValue": alarm["StateValue"], "Region": "US East (N. Virginia)",
            "Trigger": {"MetricName": alarm["MetricName"], "Namespace": alarm["Namespace"],
                        "Statistic": alarm["Statistic"].upper(), "Period": alarm["Period"],
                        "Dimensions": [{"name": d["Name"], "value": d["Value"]}
                                       for d in alarm.get("Dimensions", [])],
                        "Threshold": threshold,
                        "ComparisonOperator": alarm["ComparisonOperator"]},
        }  # fmt: skip
        for topic in alarm.get("AlarmActions", []):
            sns.publish(TopicArn=topic, Subject=f'ALARM: "{name}" in US East (N. Virginia)',
                        Message=json.dumps(message))  # fmt: skip
        self.fired.append(name)


@pytest.fixture
def oraculum_functions(make_function: Callable[..., str]) -> dict[str, str]:
    """An Oraculum deployment made without the SAM stack (so `oraculum alarms` covers it), and
    a function of something else."""
    return {
        "tarot": make_function("ora-tarot", handler=f"{ROUTER}.tarot"),
        "ask": make_function("ora-ask", handler=f"{ROUTER}.ask",
                             env={"POWERTOOLS_METRICS_NAMESPACE": "OraculumStaging"}),
        "precompute": make_function("ora-precompute", handler=f"{ROUTER}.precompute"),
        "other": make_function("batch-job", 60),
    }  # fmt: skip


def test_router_functions_get_a_server_errors_alarm_on_the_metric_the_router_emits(
    capsys, oraculum_functions
):
    code, out, err = run(capsys, *APPLY)
    assert code == 0, err
    made = our_alarms()
    served = {n for n in made if n.endswith("/server-errors")}
    assert served == {"oraculum/ora-tarot/server-errors", "oraculum/ora-ask/server-errors"}
    assert set(made) == names(*oraculum_functions.values()) | served  # the four, everywhere
    tarot = made["oraculum/ora-tarot/server-errors"]
    assert (tarot["Namespace"], tarot["MetricName"], tarot["Statistic"], tarot["Period"]) == (
        "Oraculum", "ServerErrors", "Sum", 60)  # fmt: skip
    assert sorted((d["Name"], d["Value"]) for d in tarot["Dimensions"]) == [
        ("function", "tarot"), ("service", "oraculum")]  # fmt: skip
    assert tarot["Threshold"] == 0.0 and tarot["AlarmActions"] == tarot["OKActions"] == [
        topic_arn()]  # fmt: skip
    assert tarot["TreatMissingData"] == "notBreaching"
    assert tags_of(tarot)["oraculum:alarm-kind"] == "server-errors"
    ask = made["oraculum/ora-ask/server-errors"]
    assert ask["Namespace"] == "OraculumStaging"  # the function's own EMF namespace
    assert {d["Value"] for d in ask["Dimensions"]} == {"ask", "oraculum"}
    # idempotent; an override tag moves the threshold; a handler change prunes the alarm
    assert "Applied: 0 to create, 0 to update, 0 to delete, 18 unchanged." in run(
        capsys, *APPLY)[1]  # fmt: skip
    lam = boto3.client("lambda")
    lam.tag_resource(Resource=function_arn("ora-tarot"),
                     Tags={"oraculum:alarms:server-errors": "5"})  # fmt: skip
    lam.update_function_configuration(FunctionName="ora-ask", Handler="other.handler")
    code, out, _ = run(capsys, *APPLY)
    assert code == 0 and "updated oraculum/ora-tarot/server-errors" in out
    assert "deleted oraculum/ora-ask/server-errors" in out
    assert our_alarms()["oraculum/ora-tarot/server-errors"]["Threshold"] == 5.0


def test_the_routers_data_point_fires_the_server_errors_alarm(capsys, oraculum_functions):
    """The EMF line observability writes for one 5xx answer, published as CloudWatch
    publishes EMF, crosses the alarm's own query; CloudWatch (played here) fires it and the
    notification reaches a queue on the topic."""
    run(capsys, *APPLY)
    name = "oraculum/ora-tarot/server-errors"
    alarm = our_alarms()[name]
    line = emf_line(ServerErrors=(1, {"function": "tarot"}))
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["function", "service"]]
    aws_ = alarms.Aws()
    assert alarms.alarm_reading(aws_, alarm) is None
    publish_emf(line)
    assert alarms.alarm_reading(aws_, alarm) == 1.0
    assert alarms.breaches(alarm, 1.0) and not alarms.breaches(alarm, 0.0)
    probe = alarms.Probe(aws_, topic_arn(), uuid.uuid4().hex)
    try:
        probe.open()
        with CloudWatchEvaluates() as cloudwatch:
            note = probe.wait(lambda n: n["message"].get("AlarmName") == name, 20)
    finally:
        assert probe.close() == []
    assert cloudwatch.fired == [name]
    assert note["message"]["NewStateValue"] == "ALARM"
    assert our_alarms()[name]["StateValue"] == "ALARM"
    assert our_alarms()["oraculum/ora-tarot/error-rate"]["StateValue"] != "ALARM"  # Errors: 0


def test_a_data_point_with_one_more_dimension_is_another_metric(capsys, oraculum_functions):
    """CloudWatch matches the whole dimension set: a ServerErrors flushed in the same EMF line
    as a metric with another dimension (ReadingLatency's `reading`) carries it too, and the
    alarm never sees it. The router must flush ServerErrors with function and service only."""
    run(capsys, *APPLY)
    alarm = our_alarms()["oraculum/ora-tarot/server-errors"]
    line = emf_line(ReadingLatency=(120.0, {"reading": "tarot"}),
                    ServerErrors=(1, {"function": "tarot"}))  # fmt: skip
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["reading", "function",
                                                                   "service"]]  # fmt: skip
    publish_emf(line)
    assert alarms.alarm_reading(alarms.Aws(), alarm) is None


def test_alarms_test_emit_proves_the_server_errors_alarm_fires(capsys, oraculum_functions):
    run(capsys, *APPLY)
    name = "oraculum/ora-tarot/server-errors"
    with CloudWatchEvaluates() as cloudwatch:
        code, out, err = run(capsys, "test", "--topic-name", TOPIC, "--emit", name,
                             "--timeout", "30", "--settle", "0")  # fmt: skip
    assert code == 0, err
    assert ("put 1 on Oraculum ServerErrors {function=tarot, service=oraculum}; the alarm's "
            "own query reads 1 (threshold 0)") in out  # fmt: skip
    assert "notification received after" in out and name in out
    assert cloudwatch.fired == [name]
    assert _probes_left() == [] and _queue_subscriptions(topic_arn()) == []


def test_alarms_test_emit_without_an_evaluator_says_why_nothing_came(capsys, oraculum_functions):
    """On bare moto the data point is stored and read back, and nothing evaluates the alarm:
    exit 1, with the reason."""
    run(capsys, *APPLY)
    code, out, err = run(capsys, "test", "--topic-name", TOPIC, "--emit",
                         "oraculum/ora-ask/server-errors", "--timeout", "2",
                         "--settle", "0")  # fmt: skip
    assert code == alarms.EXIT_FAILED
    assert "put 1 on OraculumStaging ServerErrors {function=ask, service=oraculum}" in out
    assert "never evaluates alarms" in err
    assert _probes_left() == []


@pytest.mark.parametrize(
    ("alarm", "said"),
    [("oraculum/ora-tarot/error-rate", "--emit needs an alarm on one metric's Sum"),
     ("oraculum/nope/server-errors", "there is no metric alarm named")],
)  # fmt: skip
def test_alarms_test_emit_refuses_what_it_cannot_move(capsys, oraculum_functions, alarm, said):
    run(capsys, *APPLY)
    code, _, err = run(capsys, "test", "--topic-name", TOPIC, "--emit", alarm, "--settle", "0")
    assert code == alarms.EXIT_FAILED and said in err
    assert _probes_left() == []


@pytest.fixture
def apis(oraculum_functions: dict[str, str], make_function: Callable[..., str]) -> dict[str, str]:
    """HTTP APIs on moto: Oraculum's (calling tarot by an alias ARN and ask by SAM's
    invocation URI), one calling only a function tagged off, one tagged off itself, one
    calling nothing of ours; and a WebSocket API."""
    make_function("stack-tarot", **{"oraculum:alarms": "off"})
    made = {
        "oraculum": http_api("oraculum", f"{function_arn('ora-tarot')}:live",
                             invocation_uri("ora-ask")),
        "stack": http_api("stack", function_arn("stack-tarot")),
        "muted": http_api("muted", function_arn("ora-tarot"), **{"oraculum:alarms": "off"}),
        "foreign": http_api("foreign", "arn:aws:lambda:us-east-1:999999999999:function:x"),
    }  # fmt: skip
    boto3.client("apigatewayv2").create_api(Name="socket", ProtocolType="WEBSOCKET",
                                            RouteSelectionExpression="$request.body.action")  # fmt: skip
    return made


def test_an_http_api_calling_functions_with_alarms_gets_a_5xx_alarm(capsys, apis):
    code, out, err = run(capsys, "plan", "--topic-name", TOPIC, "--account-concurrency", "1000")
    assert code == 0, err
    api = apis["oraculum"]
    assert "HTTP APIs calling them: muted (" in out and f"oraculum ({api})" in out
    assert "stack (" in out  # it calls a function in scope, tagged off: no alarm
    assert run(capsys, *APPLY)[0] == 0
    made = our_alarms()
    fivexx = {n for n in made if n.startswith("oraculum/http-api/")}
    assert fivexx == {f"oraculum/http-api/{api}/5xx"}
    alarm = made[f"oraculum/http-api/{api}/5xx"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm["Period"]) == (
        "AWS/ApiGateway", "5xx", "Sum", 60)  # fmt: skip
    assert alarm["Dimensions"] == [{"Name": "ApiId", "Value": api}]
    assert alarm["Threshold"] == 0.0 and alarm["AlarmActions"] == [topic_arn()]
    assert "from ora-ask, ora-tarot" in alarm["AlarmDescription"]
    assert tags_of(alarm) == {"oraculum:managed-by": "oraculum-alarms",
                              "oraculum:function": "ora-ask", "oraculum:http-api": api,
                              "oraculum:alarm-kind": "5xx"}  # fmt: skip
    code, out, _ = run(capsys, *APPLY)
    assert code == 0 and "Applied: 0 to create, 0 to update, 0 to delete, 19 unchanged." in out
    plan = json.loads(run(capsys, "plan", "--topic-name", TOPIC, "--json",
                          "--account-concurrency", "1000")[1])  # fmt: skip
    assert plan["summary"]["unchanged"] == 19 and len(plan["http_apis"]) == 3


def test_an_api_5xx_data_point_fires_the_api_alarm(capsys, apis):
    """API Gateway publishes 5xx under ApiId and under ApiId+Stage; the alarm (ApiId: every
    stage) fires on it, and the notification reaches a queue on the topic. --emit refuses it:
    only API Gateway may write AWS/ApiGateway."""
    run(capsys, *APPLY)
    api = apis["oraculum"]
    name = f"oraculum/http-api/{api}/5xx"
    code, _, err = run(capsys, "test", "--topic-name", TOPIC, "--emit", name, "--settle", "0")
    assert code == alarms.EXIT_FAILED and f"use --alarm {name}" in err
    aws_ = alarms.Aws()
    probe = alarms.Probe(aws_, topic_arn(), uuid.uuid4().hex)
    try:
        probe.open()
        with CloudWatchEvaluates() as cloudwatch:
            for dims in ([("ApiId", api)], [("ApiId", api), ("Stage", "$default")]):
                boto3.client("cloudwatch").put_metric_data(Namespace="AWS/ApiGateway", MetricData=[
                    {"MetricName": "5xx", "Value": 1.0, "Unit": "Count",
                     "Dimensions": [{"Name": k, "Value": v} for k, v in dims]}])  # fmt: skip
            note = probe.wait(lambda n: n["message"].get("AlarmName") == name, 20)
    finally:
        assert probe.close() == []
    assert cloudwatch.fired == [name] and note["message"]["NewStateValue"] == "ALARM"
    assert alarms.alarm_reading(aws_, our_alarms()[name]) == 1.0


def test_api_alarms_are_pruned_and_destroyed_with_their_scope(capsys, apis):
    run(capsys, *APPLY)
    api = apis["oraculum"]
    name = f"oraculum/http-api/{api}/5xx"
    gw = boto3.client("apigatewayv2")
    gw.tag_resource(ResourceArn=f"arn:aws:apigateway:us-east-1::/apis/{api}",
                    Tags={"oraculum:alarms": "off"})  # fmt: skip
    code, out, _ = run(capsys, "plan", "--topic-name", TOPIC, "--account-concurrency", "1000")
    line = next(x for x in out.splitlines() if x.startswith("delete "))
    assert name in line and "not wanted any more (tag oraculum:alarms=off on the API" in line
    assert "Plan: 0 to create, 0 to update, 1 to delete, 18 unchanged." in out
    gw.untag_resource(ResourceArn=f"arn:aws:apigateway:us-east-1::/apis/{api}",
                      TagKeys=["oraculum:alarms"])  # fmt: skip
    assert "Plan: 0 to create, 0 to update, 0 to delete, 19 unchanged." in run(
        capsys, "plan", "--topic-name", TOPIC, "--account-concurrency", "1000")[1]  # fmt: skip
    gw.delete_api(ApiId=api)
    code, out, _ = run(capsys, "plan", "--topic-name", TOPIC, "--account-concurrency", "1000")
    assert f"{name}" in out and "its HTTP API no longer exists" in out
    code, out, _ = run(capsys, *APPLY)
    assert code == 0 and f"deleted {name}" in out
    assert not any(n.startswith("oraculum/http-api/") for n in our_alarms())
    # a prefix that leaves out every function the API calls leaves its alarm alone
    again = http_api("again", function_arn("ora-tarot"))
    run(capsys, *APPLY)
    assert run(capsys, *APPLY, "--prefix", "batch")[0] == 0
    assert f"oraculum/http-api/{again}/5xx" in our_alarms()
    code, out, _ = run(capsys, "destroy", "--prefix", "batch")
    assert code == 0 and f"oraculum/http-api/{again}/5xx" in our_alarms()
    code, out, _ = run(capsys, "destroy", "--prefix", "ora-")
    assert code == 0 and f"deleted oraculum/http-api/{again}/5xx" in out
    assert our_alarms() == {}


# ---------------------------------------------------------------- the two front doors
def test_the_file_runs_alone_with_nothing_of_ours(aws, two_functions, tmp_path):
    """`python alarms.py` from a copy of the file, with oraculum, typer, rich and pydantic
    made unimportable: boto3 and the standard library are all it needs."""
    script = tmp_path / "alarms.py"
    shutil.copy(ALARMS_PY, script)
    blocker = (
        "import runpy, sys\n"
        "for name in ('oraculum', 'typer', 'rich', 'pydantic', 'click'):\n"
        "    sys.modules[name] = None\n"
        f"sys.argv = [{str(script)!r}, *sys.argv[1:]]\n"
        f"runpy.run_path({str(script)!r}, run_name='__main__')\n"
    )

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", blocker, *argv], cwd=tmp_path,
                              env=os.environ.copy(), capture_output=True, text=True,
                              timeout=120)  # fmt: skip

    done = cli("plan", "--topic-name", TOPIC, "--account-concurrency", "1000")
    assert done.returncode == 0, done.stderr
    assert "Plan: 8 to create" in done.stdout
    done = cli(*APPLY)
    assert done.returncode == 0, done.stderr
    assert cli("plan", "--topic-name", TOPIC, "--check",
               "--account-concurrency", "1000").returncode == 0  # fmt: skip
    done = cli("test", "--topic-name", TOPIC, "--publish", "--timeout", "20", "--settle", "0")
    assert done.returncode == 0, done.stderr
    plain = subprocess.run([sys.executable, str(script), "--help"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert plain.returncode == 0 and "oraculum:alarms:duration-p99-ms" in plain.stdout


def test_oraculum_alarms_passes_every_argument_through(aws, two_functions):
    from oraculum.cli import app

    result = CliRunner().invoke(app, ["alarms", "plan", "--topic-name", TOPIC, "--json",
                                      "--account-concurrency", "1000"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["create"] == 8
    help_text = CliRunner().invoke(app, ["alarms", "test", "--help"])
    assert help_text.exit_code == 0 and "usage: oraculum alarms test" in help_text.stdout
    assert CliRunner().invoke(app, ["alarms", "plan"]).exit_code == alarms.EXIT_USAGE


# ---------------------------------------------------------------- live AWS, when allowed
def _live_reason() -> str | None:
    if os.environ.get("ORACULUM_LIVE_ALARMS") != "1":
        return "live AWS chain: set ORACULUM_LIVE_ALARMS=1 (and real AWS credentials) to run it"
    if os.environ.get("AWS_ENDPOINT_URL"):
        return "live AWS chain: AWS_ENDPOINT_URL is set, so this would not be live AWS"
    session = boto3.Session()
    creds = session.get_credentials()
    if creds is None or creds.access_key in ("testing", "test") or not session.region_name:
        return "live AWS chain: no real AWS credentials or region in the environment"
    return None


live = pytest.mark.skipif(_live_reason() is not None, reason=_live_reason() or "")

# Served as the tarot handler of our package, so that `apply` also gives it a server-errors
# alarm (on a namespace of its own: nothing of a real deployment's metrics is touched).
_FAULTY = """
import os
def tarot(event, context):
    if os.environ.get("ORACULUM_FAULT_INJECTION") == "true" and event.get("oraculumFault") == "error":
        raise RuntimeError("fault injected on request")
    return {"ok": True}
"""


@pytest.fixture(scope="module")
def live_function() -> Iterator[tuple[str, str]]:
    """A throwaway function (and its role) in the live account; alarms applied to it under a
    fresh topic; everything removed afterwards."""
    suffix = uuid.uuid4().hex[:8]
    env = {"ORACULUM_FAULT_INJECTION": "true",
           "POWERTOOLS_METRICS_NAMESPACE": f"OraculumLiveProbe-{suffix}"}  # fmt: skip
    name, topic = f"oraculum-live-probe-{suffix}", f"oraculum-live-alarms-{suffix}"
    iam, lam = boto3.client("iam"), boto3.client("lambda")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "lambda.amazonaws.com"}}]}  # fmt: skip
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    try:
        for _ in range(30):  # a new role takes a few seconds to become usable by Lambda
            try:
                lam.create_function(
                    FunctionName=name, Runtime="python3.12", Role=role["Arn"],
                    Handler=f"{ROUTER}.tarot", Timeout=10, Architectures=["arm64"],
                    Code={"ZipFile": _zip(_FAULTY, "oraculum/api/aws_lambda/handlers.py")},
                    Environment={"Variables": env},
                )  # fmt: skip
                break
            except lam.exceptions.InvalidParameterValueException:
                time.sleep(2)
        lam.get_waiter("function_active_v2").wait(FunctionName=name)
        assert alarms.main(["apply", "--topic-name", topic, "--prefix", name]) == 0
        yield name, topic
    finally:
        alarms.main(["destroy", "--prefix", name, "--topic-name", topic, "--delete-topic"])
        try:
            lam.delete_function(FunctionName=name)
        finally:
            iam.delete_role(RoleName=name)


@live
@pytest.mark.slow
def test_live_set_alarm_state_reaches_the_probe_queue(live_function):
    name, topic = live_function
    assert alarms.main(["test", "--topic-name", topic, "--alarm", f"oraculum/{name}/error-rate",
                        "--timeout", "300"]) == 0  # fmt: skip


@live
@pytest.mark.slow
def test_live_injected_fault_fires_the_error_rate_alarm(live_function):
    name, topic = live_function
    assert alarms.main(["test", "--topic-name", topic, "--invoke", name,
                        "--timeout", "600"]) == 0  # fmt: skip


@live
@pytest.mark.slow
def test_live_server_errors_data_point_fires_its_alarm(live_function):
    """CloudWatch itself evaluates the server-errors alarm on the data point --emit puts."""
    name, topic = live_function
    assert alarms.main(["test", "--topic-name", topic, "--emit", f"oraculum/{name}/server-errors",
                        "--timeout", "600"]) == 0  # fmt: skip
