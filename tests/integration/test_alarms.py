"""`oraculum alarms` (ops/alarms.py) against moto's server on 127.0.0.1: Lambda functions made
there, alarms planned, applied, updated, pruned and destroyed, and both halves of `alarms
test` (moto keeps metric-math alarms and delivers SNS to SQS on a publish, but a state change
never publishes). The whole alarm -> topic -> queue chain runs only against live AWS, in the
last tests here, skipped without real credentials and ORACULUM_LIVE_ALARMS=1.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from oraculum.ops import alarms

ALARMS_PY = Path(alarms.__file__)
TOPIC = "ops-alarms"
KINDS = ("concurrency", "duration-p99", "error-rate", "throttles")


def _zip(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", source)
    return buf.getvalue()


@pytest.fixture
def make_function(aws: str) -> Callable[..., str]:
    """Create a Lambda function on moto (never invoked: moto would need docker for that)."""
    role = boto3.client("iam").create_role(
        RoleName="oraculum-test", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
    )["Role"]["Arn"]
    code = _zip("def handler(event, context):\n    return {}\n")

    def make(name: str, timeout: int = 28, reserved: int | None = None, **tags: str) -> str:
        lam = boto3.client("lambda")
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
            Code={"ZipFile": code}, Timeout=timeout, Architectures=["arm64"], Tags=tags,
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

_FAULTY = """
import os
def handler(event, context):
    if os.environ.get("ORACULUM_FAULT_INJECTION") == "true" and event.get("oraculumFault") == "error":
        raise RuntimeError("fault injected on request")
    return {"ok": True}
"""


@pytest.fixture(scope="module")
def live_function() -> Iterator[tuple[str, str]]:
    """A throwaway function (and its role) in the live account; alarms applied to it under a
    fresh topic; everything removed afterwards."""
    suffix = uuid.uuid4().hex[:8]
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
                    Handler="handler.handler", Code={"ZipFile": _zip(_FAULTY)}, Timeout=10,
                    Architectures=["arm64"],
                    Environment={"Variables": {"ORACULUM_FAULT_INJECTION": "true"}},
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
