"""CloudWatch alarms for every Lambda function of an account and region (and for the HTTP APIs
in front of them), and proof that they reach their SNS topic. Needs boto3 and the standard
library only: this one file also runs by itself (in CloudShell: `python3 alarms.py apply
--topic-name ops-alarms`).

    alarms.py plan    (--topic-name NAME | --topic-arn ARN) [--prefix P] [--tag K=V] [--json]
    alarms.py apply   (--topic-name NAME | --topic-arn ARN) [--prefix P] [--tag K=V] [--email A]
    alarms.py destroy [--prefix P] [--tag K=V] [--topic-name NAME --delete-topic]
    alarms.py test    (--topic-name NAME | --topic-arn ARN)
                      [--alarm NAME | --emit NAME | --invoke FUNCTION | --publish] [--timeout S]

Region, credentials and endpoint come from the standard AWS settings (AWS_REGION,
AWS_PROFILE, AWS_ENDPOINT_URL, ...), or --region and --profile.

For every function (ListFunctions, paginated; narrowed by --prefix and --tag), four alarms
named `oraculum/<function>/<kind>`, each on one-minute data, alarming on one breaching minute,
treating missing data as not breaching, and notifying one SNS topic on ALARM and on OK:

    error-rate    100 * Errors / Invocations (metric math, sums)   > 1 (%)
    duration-p99  Duration, p99                                    > min(25 s, 80 % of timeout)
    throttles     Throttles, sum                                   > 0
    concurrency   ConcurrentExecutions, maximum                    > 80 % of the reserved
                  concurrency, or of the account's limit when the function reserves none

Errors counts only invocations that raised. A function that catches its failures and answers
500 or 503 (Oraculum's router does: problem+json) leaves Errors at 0 while its callers see
failures, so two more alarms watch the answers themselves:

    server-errors ServerErrors (namespace Oraculum, or the function's
                  POWERTOOLS_METRICS_NAMESPACE), dimensions function=<tarot|horoscope|ask>
                  and service=oraculum, sum                        > 0
                  for every function whose handler is oraculum.api.aws_lambda.handlers.tarot,
                  .horoscope or .ask: the router emits 1 (EMF) for each 5xx it answers
    5xx           AWS/ApiGateway 5xx, dimension ApiId, sum         > 0
                  for every HTTP API (GetApis) with a Lambda integration on a function in
                  scope that has alarms: every 5xx its callers got, handled, unhandled, or
                  made by the gateway itself (integration timeout, throttled or failed
                  invocation); named `oraculum/http-api/<api id>/5xx`

Ownership: only alarms named `oraculum/...` that also carry the tag
`oraculum:managed-by=oraculum-alarms` are ever updated or deleted. Alarms of functions (and
HTTP APIs) that no longer exist (and match --prefix) are pruned.

Overrides, as tags on a Lambda function (or on an HTTP API, for its 5xx alarm):

    oraculum:alarms=off                  no alarms for this function or API (the SAM stack
                                         tags its own functions so: it makes their alarms)
    oraculum:alarms:error-rate-percent   error-rate threshold in percent (default 1)
    oraculum:alarms:duration-p99-ms      Duration p99 threshold in milliseconds
    oraculum:alarms:throttles            throttles threshold, a count (default 0)
    oraculum:alarms:concurrency-percent  percent of the reserved or account concurrency (80)
    oraculum:alarms:server-errors        server-errors threshold, a count a minute (default 0)
    oraculum:alarms:5xx                  on the API: 5xx threshold, a count a minute (default 0)

Exit codes: 0 done; 1 failed (an AWS error, an alarm of our name that is not ours, `test`
received no notification); 2 usage; 3 `plan --check` found changes to make.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import sys
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

ALARM_PREFIX = "oraculum/"
OWNER_TAG, OWNER = "oraculum:managed-by", "oraculum-alarms"
FUNCTION_TAG, KIND_TAG = "oraculum:function", "oraculum:alarm-kind"
API_TAG = "oraculum:http-api"  # on an API's alarm: the API id (its FUNCTION_TAG: see _api_5xx)
SKIP_TAG = "oraculum:alarms"
OVERRIDE_TAGS = {
    "error-rate": "oraculum:alarms:error-rate-percent",
    "duration-p99": "oraculum:alarms:duration-p99-ms",
    "throttles": "oraculum:alarms:throttles",
    "concurrency": "oraculum:alarms:concurrency-percent",
    "server-errors": "oraculum:alarms:server-errors",
    "5xx": "oraculum:alarms:5xx",
}
KINDS = tuple(OVERRIDE_TAGS)
FUNCTION_KINDS = ("error-rate", "duration-p99", "throttles", "concurrency", "server-errors")
API_KINDS = ("5xx",)
UNITS = {k: "" for k in KINDS} | {"error-rate": "%", "duration-p99": "ms"}
API_ALARM_PREFIX = f"{ALARM_PREFIX}http-api/"
# What Oraculum's Lambda router emits for each 5xx it answers (src/oraculum/observability.py,
# through Powertools' EMF): this file imports nothing of ours, so the names are repeated here.
# the handlers' module, and where it was before the api/ split (stacks deployed then)
ROUTER_HANDLER_MODULES = ("oraculum.api.aws_lambda.handlers", "oraculum.api.lambda_handlers")
ROUTER_FUNCTIONS = ("tarot", "horoscope", "ask")  # the HTTP handlers; precompute has no router
EMF_NAMESPACE, EMF_NAMESPACE_ENV = "Oraculum", "POWERTOOLS_METRICS_NAMESPACE"
EMF_SERVICE = "oraculum"  # Powertools adds the dimension service=<its service> to every metric
SERVER_ERRORS_METRIC = "ServerErrors"
_LAMBDA_ARN = re.compile(r"arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+")
PERIOD_S = 60
DURATION_CAP_MS = 25_000.0
TIMEOUT_SHARE = 0.8
DEFAULT_CONCURRENCY_PERCENT = 80.0
DEFAULT_ACCOUNT_CONCURRENCY = 1000
PROBE_PREFIX = "oraculum-alarms-probe-"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PENDING = 0, 1, 2, 3


class AlarmsError(Exception):
    """A failure to report in one sentence (exit 1)."""


class UsageError(AlarmsError):
    """Arguments that cannot work together (exit 2)."""


# ---------------------------------------------------------------- what the tool works with


@dataclass(frozen=True)
class Function:
    name: str
    arn: str
    timeout_s: int
    reserved: int | None
    tags: dict[str, str]
    handler: str = ""
    env: dict[str, str] = field(default_factory=dict)

    @property
    def skipped(self) -> bool:
        return _off(self.tags)


@dataclass(frozen=True)
class HttpApi:
    """An HTTP API (API Gateway v2) and the functions its Lambda integrations call (ARNs)."""

    id: str
    name: str
    tags: dict[str, str]
    targets: frozenset[str]  # unqualified function ARNs

    @property
    def skipped(self) -> bool:
        return _off(self.tags)


def _off(tags: dict[str, str]) -> bool:
    return tags.get(SKIP_TAG, "").strip().lower() == "off"


@dataclass(frozen=True)
class Alarm:
    """One alarm as the tool wants it: PutMetricAlarm's arguments (tags aside)."""

    name: str
    function: str
    kind: str
    threshold: float
    basis: str  # how the threshold was chosen, for people
    params: dict[str, Any]
    api: str | None = None  # the HTTP API id, for an API's alarm (function: see _api_5xx)


@dataclass(frozen=True)
class Existing:
    name: str
    arn: str
    function: str | None
    owned: bool
    raw: dict[str, Any]
    api: str | None = None


@dataclass
class Change:
    action: str  # create | update | delete | conflict
    alarm: str
    function: str
    kind: str
    threshold: float | None
    details: list[str] = field(default_factory=list)
    desired: Alarm | None = None
    api: str | None = None
    arn: str | None = None  # of the existing alarm, for an update


@dataclass
class Topic:
    arn: str
    name: str
    exists: bool
    email: str | None = None
    email_subscribed: bool = True


@dataclass
class Plan:
    topic: Topic | None
    functions: list[str]
    changes: list[Change]
    unchanged: list[str]
    warnings: list[str]
    apis: list[str] = field(default_factory=list)  # "name (id)" of the HTTP APIs in scope

    def count(self, action: str) -> int:
        return sum(c.action == action for c in self.changes)

    @property
    def pending(self) -> bool:
        topic_work = self.topic is not None and (
            not self.topic.exists or not self.topic.email_subscribed
        )
        return bool(self.changes) or topic_work


# ---------------------------------------------------------------- AWS clients


class Aws:
    """boto3 clients from the standard AWS settings, AWS_ENDPOINT_URL included."""

    def __init__(self, region: str | None = None, profile: str | None = None) -> None:
        self.session = boto3.Session(region_name=region, profile_name=profile)
        if not self.session.region_name:
            raise UsageError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or --region")
        self._config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"mode": "adaptive", "max_attempts": 8},
        )
        self._clients: dict[str, Any] = {}

    @property
    def region(self) -> str:
        return str(self.session.region_name)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, config=self._config)
        return self._clients[service]

    def topic_arn_for(self, name: str) -> str:
        account = self.client("sts").get_caller_identity()["Account"]
        partition = self.session.get_partition_for_region(self.region)
        return f"arn:{partition}:sns:{self.region}:{account}:{name}"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "error"))


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# ---------------------------------------------------------------- inventory


def list_functions(
    aws: Aws, prefix: str, tag_filter: dict[str, str]
) -> tuple[list[Function], set[str]]:
    """The functions in scope (name prefix and tags match) and the names of all functions."""
    lam = aws.client("lambda")
    everything: set[str] = set()
    chosen: list[Function] = []
    for page in lam.get_paginator("list_functions").paginate():
        for item in page.get("Functions", []):
            name = item["FunctionName"]
            everything.add(name)
            if not name.startswith(prefix):
                continue
            tags = dict(lam.list_tags(Resource=item["FunctionArn"]).get("Tags") or {})
            if any(tags.get(key) != value for key, value in tag_filter.items()):
                continue
            found = lam.get_function_concurrency(FunctionName=name)
            reserved = found.get("ReservedConcurrentExecutions")
            chosen.append(
                Function(
                    name=name,
                    arn=item["FunctionArn"],
                    timeout_s=int(item.get("Timeout") or 3),
                    reserved=None if reserved is None else int(reserved),
                    tags=tags,
                    handler=str(item.get("Handler") or ""),
                    env=dict((item.get("Environment") or {}).get("Variables") or {}),
                )
            )
    chosen.sort(key=lambda f: f.name)
    return chosen, everything


def list_http_apis(aws: Aws, warnings: list[str]) -> list[HttpApi] | None:
    """Every HTTP API of the region with the functions its integrations call; None when API
    Gateway cannot be listed (then no API alarm is planned, made or pruned)."""
    gw = aws.client("apigatewayv2")
    apis: list[HttpApi] = []
    try:
        for page in gw.get_paginator("get_apis").paginate():
            for item in page.get("Items", []):
                if item.get("ProtocolType") != "HTTP":
                    continue  # WebSocket APIs publish other metrics
                targets: set[str] = set()
                integrations = gw.get_paginator("get_integrations").paginate(ApiId=item["ApiId"])
                for found in integrations:
                    for integration in found.get("Items", []):
                        # a function ARN (maybe qualified) or the .../functions/ARN/invocations URI
                        targets.update(_LAMBDA_ARN.findall(integration.get("IntegrationUri") or ""))
                apis.append(
                    HttpApi(
                        id=item["ApiId"],
                        name=str(item.get("Name") or ""),
                        tags=dict(item.get("Tags") or {}),
                        targets=frozenset(targets),
                    )
                )
    except ClientError as exc:
        warnings.append(
            f"API Gateway's GetApis/GetIntegrations failed ({_code(exc)}): no 5xx alarm of an "
            "HTTP API is planned, and none is pruned"
        )
        return None
    apis.sort(key=lambda a: (a.name, a.id))
    return apis


def account_concurrency(aws: Aws, override: int | None, warnings: list[str]) -> int:
    if override is not None:
        return override
    try:
        limits = aws.client("lambda").get_account_settings()["AccountLimit"]
        return int(limits["ConcurrentExecutions"])
    except ClientError as exc:
        warnings.append(
            f"GetAccountSettings failed ({_code(exc)}); the concurrency alarms of functions "
            f"without reserved concurrency assume the default account limit of "
            f"{DEFAULT_ACCOUNT_CONCURRENCY} (set it with --account-concurrency N)"
        )
        return DEFAULT_ACCOUNT_CONCURRENCY


def list_our_alarms(aws: Aws) -> dict[str, Existing]:
    """Every metric alarm named with our prefix; `owned` when it also carries our tag."""
    cw = aws.client("cloudwatch")
    found: dict[str, Existing] = {}
    pages = cw.get_paginator("describe_alarms").paginate(
        AlarmNamePrefix=ALARM_PREFIX, AlarmTypes=["MetricAlarm"]
    )
    for page in pages:
        for raw in page.get("MetricAlarms", []):
            listed = cw.list_tags_for_resource(ResourceARN=raw["AlarmArn"]).get("Tags", [])
            tags = {t["Key"]: t["Value"] for t in listed}
            name = raw["AlarmName"]
            api = tags.get(API_TAG) or _api_from_name(name)
            function = tags.get(FUNCTION_TAG)
            found[name] = Existing(
                name=name,
                arn=raw["AlarmArn"],
                function=function or (None if api else _function_from_name(name)),
                owned=tags.get(OWNER_TAG) == OWNER,
                raw=raw,
                api=api,
            )
    return found


def _function_from_name(alarm_name: str) -> str | None:
    rest = alarm_name[len(ALARM_PREFIX) :]
    function, _, kind = rest.rpartition("/")
    return function if function and "/" not in function and kind in FUNCTION_KINDS else None


def _api_from_name(alarm_name: str) -> str | None:
    if not alarm_name.startswith(API_ALARM_PREFIX):
        return None
    api, _, kind = alarm_name[len(API_ALARM_PREFIX) :].rpartition("/")
    return api if api and "/" not in api and kind in API_KINDS else None


def alarm_name(function: str, kind: str) -> str:
    return f"{ALARM_PREFIX}{function}/{kind}"


def api_alarm_name(api_id: str, kind: str = "5xx") -> str:
    return f"{API_ALARM_PREFIX}{api_id}/{kind}"


# ---------------------------------------------------------------- the alarms a function gets


def _fmt(value: float) -> str:
    return f"{value:g}" if value == int(value) or abs(value) >= 1e6 else f"{value:.6g}"


def _override(
    owner: str,
    tags: dict[str, str],
    kind: str,
    default: float,
    low: float,
    high: float,
    warnings: list[str],
) -> tuple[float, bool]:
    tag = OVERRIDE_TAGS[kind]
    raw = tags.get(tag)
    if raw is None:
        return default, False
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not low <= value <= high:  # NaN fails too
        warnings.append(
            f"{owner}: tag {tag}={raw!r} is not a number from {_fmt(low)} to {_fmt(high)}; "
            f"using {_fmt(default)}"
        )
        return default, False
    return value, True


def _base(name: str, description: str, threshold: float, topic_arn: str) -> dict[str, Any]:
    return {
        "AlarmName": name,
        "AlarmDescription": description,
        "ActionsEnabled": True,
        "AlarmActions": [topic_arn],
        "OKActions": [topic_arn],
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }


def _dimension(fn: Function) -> list[dict[str, str]]:
    return [{"Name": "FunctionName", "Value": fn.name}]


def _stat(fn: Function, metric: str, stat: str) -> dict[str, Any]:
    return {
        "Metric": {"Namespace": "AWS/Lambda", "MetricName": metric, "Dimensions": _dimension(fn)},
        "Period": PERIOD_S,
        "Stat": stat,
    }


def _single(fn: Function, metric: str) -> dict[str, Any]:
    return {
        "Namespace": "AWS/Lambda",
        "MetricName": metric,
        "Dimensions": _dimension(fn),
        "Period": PERIOD_S,
    }


def _tail(kind: str) -> str:
    on = "API" if kind in API_KINDS else "function"
    return f"Managed by oraculum alarms; override with the {on} tag {OVERRIDE_TAGS[kind]}."


def _error_rate(fn: Function, topic_arn: str, warnings: list[str]) -> Alarm:
    kind, name = "error-rate", alarm_name(fn.name, "error-rate")
    pct, tagged = _override(fn.name, fn.tags, kind, 1.0, 0.0, 100.0, warnings)
    basis = f"tag {OVERRIDE_TAGS[kind]}" if tagged else "default 1 %"
    params = _base(
        name,
        f"Error rate of {fn.name} above {_fmt(pct)} % of its invocations in a minute "
        f"(100 * Errors / Invocations). {_tail(kind)}",
        pct,
        topic_arn,
    )
    params["Metrics"] = [
        {"Id": "errors", "MetricStat": _stat(fn, "Errors", "Sum"), "ReturnData": False},
        {"Id": "invocations", "MetricStat": _stat(fn, "Invocations", "Sum"), "ReturnData": False},
        {
            "Id": "error_rate",
            "Expression": "100 * errors / invocations",
            "Label": "Error rate (%)",
            "ReturnData": True,
        },
    ]
    return Alarm(name, fn.name, kind, pct, basis, params)


def _duration(fn: Function, topic_arn: str, warnings: list[str]) -> Alarm:
    kind, name = "duration-p99", alarm_name(fn.name, "duration-p99")
    share = round(TIMEOUT_SHARE * fn.timeout_s * 1000.0, 3)
    ms, tagged = _override(
        fn.name, fn.tags, kind, min(DURATION_CAP_MS, share), 1.0, 900_000.0, warnings
    )
    if tagged:
        basis = f"tag {OVERRIDE_TAGS[kind]}"
    elif share < DURATION_CAP_MS:
        basis = f"80 % of the {fn.timeout_s} s timeout"
    else:
        basis = f"25 s cap (below 80 % of the {fn.timeout_s} s timeout)"
    params = _base(
        name,
        f"Duration p99 of {fn.name} above {_fmt(ms)} ms in a minute ({basis}). {_tail(kind)}",
        ms,
        topic_arn,
    )
    params.update(_single(fn, "Duration"), ExtendedStatistic="p99")
    return Alarm(name, fn.name, kind, ms, basis, params)


def _throttles(fn: Function, topic_arn: str, warnings: list[str]) -> Alarm:
    kind, name = "throttles", alarm_name(fn.name, "throttles")
    count, tagged = _override(fn.name, fn.tags, kind, 0.0, 0.0, 1e9, warnings)
    basis = f"tag {OVERRIDE_TAGS[kind]}" if tagged else "any throttle"
    params = _base(
        name,
        f"Throttles of {fn.name} above {_fmt(count)} in a minute. {_tail(kind)}",
        count,
        topic_arn,
    )
    params.update(_single(fn, "Throttles"), Statistic="Sum")
    return Alarm(name, fn.name, kind, count, basis, params)


def _concurrency(
    fn: Function, topic_arn: str, account_limit: Callable[[], int], warnings: list[str]
) -> Alarm:
    kind, name = "concurrency", alarm_name(fn.name, "concurrency")
    pct, tagged = _override(
        fn.name, fn.tags, kind, DEFAULT_CONCURRENCY_PERCENT, 1.0, 100.0, warnings
    )
    if fn.reserved is not None:
        limit, of = fn.reserved, f"its reserved concurrency {fn.reserved}"
    else:
        limit = account_limit()
        of = f"the account concurrency limit {limit}"
    threshold = round(limit * pct / 100.0, 3)
    basis = f"{_fmt(pct)} % of {of}" + (f" (tag {OVERRIDE_TAGS[kind]})" if tagged else "")
    params = _base(
        name,
        f"Concurrent executions of {fn.name} above {_fmt(threshold)} ({basis}). {_tail(kind)}",
        threshold,
        topic_arn,
    )
    params.update(_single(fn, "ConcurrentExecutions"), Statistic="Maximum")
    return Alarm(name, fn.name, kind, threshold, basis, params)


def router_function(fn: Function) -> str | None:
    """`tarot`, `horoscope` or `ask` when the function runs that Oraculum HTTP handler (whose
    router emits ServerErrors with that `function` dimension), else None."""
    module, _, attr = fn.handler.rpartition(".")
    return attr if module in ROUTER_HANDLER_MODULES and attr in ROUTER_FUNCTIONS else None


def server_errors_metric(routed: str, namespace: str = EMF_NAMESPACE) -> dict[str, Any]:
    """The metric the router's EMF line becomes: Powertools puts the dimension `service` on
    every metric besides the one the router adds, and CloudWatch matches the whole set."""
    return {
        "Namespace": namespace,
        "MetricName": SERVER_ERRORS_METRIC,
        "Dimensions": [
            {"Name": "function", "Value": routed},
            {"Name": "service", "Value": EMF_SERVICE},
        ],
    }


def _server_errors(fn: Function, topic_arn: str, warnings: list[str]) -> Alarm | None:
    routed = router_function(fn)
    if routed is None:
        return None
    kind, name = "server-errors", alarm_name(fn.name, "server-errors")
    count, tagged = _override(fn.name, fn.tags, kind, 0.0, 0.0, 1e9, warnings)
    basis = f"tag {OVERRIDE_TAGS[kind]}" if tagged else "any 5xx answer"
    namespace = fn.env.get(EMF_NAMESPACE_ENV) or EMF_NAMESPACE
    params = _base(
        name,
        f"5xx answers of {fn.name} above {_fmt(count)} in a minute ({SERVER_ERRORS_METRIC}, "
        f"function={routed}: failures the router answered, which Errors never counts). "
        f"{_tail(kind)}",
        count,
        topic_arn,
    )
    params.update(server_errors_metric(routed, namespace), Period=PERIOD_S, Statistic="Sum")
    return Alarm(name, fn.name, kind, count, basis, params)


def _api_5xx(api: HttpApi, routed: list[str], topic_arn: str, warnings: list[str]) -> Alarm:
    """The 5xx alarm of an HTTP API. Its FUNCTION_TAG names the first function with alarms
    that the API calls: the scope (--prefix, --tag) that planned it also prunes it."""
    kind, name = "5xx", api_alarm_name(api.id)
    label = f"{api.name} ({api.id})" if api.name else api.id
    count, tagged = _override(label, api.tags, kind, 0.0, 0.0, 1e9, warnings)
    basis = f"tag {OVERRIDE_TAGS[kind]}" if tagged else "any 5xx response"
    shown = ", ".join(routed[:3]) + (f" and {len(routed) - 3} more" if len(routed) > 3 else "")
    params = _base(
        name,
        f"5xx responses of the HTTP API {label} above {_fmt(count)} in a minute: every server "
        f"error its callers got, from {shown} or from the gateway itself. {_tail(kind)}",
        count,
        topic_arn,
    )
    params.update(
        Namespace="AWS/ApiGateway",
        MetricName="5xx",
        Dimensions=[{"Name": "ApiId", "Value": api.id}],
        Period=PERIOD_S,
        Statistic="Sum",
    )
    return Alarm(name, routed[0], kind, count, basis, params, api=api.id)


def desired_alarms(
    fn: Function, topic_arn: str, account_limit: Callable[[], int], warnings: list[str]
) -> list[Alarm]:
    """The alarms of one function (four, five for an Oraculum HTTP handler), thresholds
    overridden by its tags."""
    made = [
        _error_rate(fn, topic_arn, warnings),
        _duration(fn, topic_arn, warnings),
        _throttles(fn, topic_arn, warnings),
        _concurrency(fn, topic_arn, account_limit, warnings),
    ]
    served = _server_errors(fn, topic_arn, warnings)
    return made + ([served] if served else [])


def alarm_tags(alarm: Alarm) -> list[dict[str, str]]:
    tags = [
        {"Key": OWNER_TAG, "Value": OWNER},
        {"Key": FUNCTION_TAG, "Value": alarm.function},
        {"Key": KIND_TAG, "Value": alarm.kind},
    ]
    return tags + ([{"Key": API_TAG, "Value": alarm.api}] if alarm.api else [])


# ---------------------------------------------------------------- comparing alarms


def _dims(items: Any) -> list[tuple[str, str]]:
    return sorted((d["Name"], d["Value"]) for d in items or [])


def _query(q: dict[str, Any]) -> dict[str, Any]:
    stat = q.get("MetricStat")
    metric = (stat or {}).get("Metric", {})
    return {
        "Id": q.get("Id"),
        "Expression": q.get("Expression") or None,
        "Label": q.get("Label") or None,
        "ReturnData": bool(q.get("ReturnData", True)),
        "Period": q.get("Period") or None,
        "MetricStat": None
        if not stat
        else {
            "Namespace": metric.get("Namespace"),
            "MetricName": metric.get("MetricName"),
            "Dimensions": _dims(metric.get("Dimensions")),
            "Period": stat.get("Period"),
            "Stat": stat.get("Stat"),
            "Unit": stat.get("Unit") or None,
        },
    }


def canonical(alarm: dict[str, Any]) -> dict[str, Any]:
    """PutMetricAlarm arguments and DescribeAlarms output in one comparable shape."""
    evaluation = int(alarm.get("EvaluationPeriods") or 1)
    threshold = alarm.get("Threshold")
    out: dict[str, Any] = {
        "AlarmDescription": alarm.get("AlarmDescription") or "",
        "ActionsEnabled": bool(alarm.get("ActionsEnabled", True)),
        "Dimensions": _dims(alarm.get("Dimensions")),
        "Period": alarm.get("Period") or None,
        "EvaluationPeriods": evaluation,
        "DatapointsToAlarm": int(alarm.get("DatapointsToAlarm") or evaluation),
        "Threshold": None if threshold is None else float(threshold),
        "TreatMissingData": alarm.get("TreatMissingData") or "missing",
        "Metrics": [_query(q) for q in alarm.get("Metrics") or []],
    }
    for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        out[key] = sorted(alarm.get(key) or [])
    for key in (
        "Namespace",
        "MetricName",
        "Statistic",
        "ExtendedStatistic",
        "Unit",
        "ComparisonOperator",
        "EvaluateLowSampleCountPercentile",
    ):
        out[key] = alarm.get(key) or None
    return out


def _show(value: Any) -> str:
    if isinstance(value, float):
        return _fmt(value)
    if isinstance(value, list) and value and isinstance(value[0], str):
        return ",".join(value)
    return json.dumps(value) if not isinstance(value, str) else repr(value)


def differences(wanted: dict[str, Any], have: dict[str, Any]) -> list[str]:
    a, b = canonical(have), canonical(wanted)
    found = []
    for key in b:
        if a[key] == b[key]:
            continue
        if key in ("Metrics", "AlarmDescription"):
            found.append(f"{key} changed")
        else:
            found.append(f"{key}: {_show(a[key])} -> {_show(b[key])}")
    return found


# ---------------------------------------------------------------- the topic


def find_topic(aws: Aws, name: str | None, arn: str | None, email: str | None = None) -> Topic:
    sns = aws.client("sns")
    if arn:
        try:
            sns.get_topic_attributes(TopicArn=arn)
            topic = Topic(arn, arn.rsplit(":", 1)[-1], True)
        except ClientError as exc:
            if _code(exc) not in ("NotFound", "NotFoundException"):
                raise
            topic = Topic(arn, arn.rsplit(":", 1)[-1], False)
    elif name:
        found = [
            item["TopicArn"]
            for page in sns.get_paginator("list_topics").paginate()
            for item in page.get("Topics", [])
            if item["TopicArn"].rsplit(":", 1)[-1] == name
        ]
        exists = bool(found)
        topic = Topic(found[0] if exists else aws.topic_arn_for(name), name, exists)
    else:
        raise UsageError("give the topic: --topic-name NAME or --topic-arn ARN")
    if email:
        topic.email = email
        topic.email_subscribed = topic.exists and _subscribed(aws, topic.arn, email)
    return topic


def _subscribed(aws: Aws, topic_arn: str, email: str) -> bool:
    pages = aws.client("sns").get_paginator("list_subscriptions_by_topic")
    for page in pages.paginate(TopicArn=topic_arn):
        for sub in page.get("Subscriptions", []):
            if sub.get("Protocol") == "email" and sub.get("Endpoint", "").lower() == email.lower():
                return True
    return False


def ensure_topic(aws: Aws, topic: Topic, say: Callable[[str], None]) -> Topic:
    sns = aws.client("sns")
    if not topic.exists:
        created = sns.create_topic(Name=topic.name, Tags=[{"Key": OWNER_TAG, "Value": OWNER}])
        topic = Topic(created["TopicArn"], topic.name, True, topic.email, topic.email_subscribed)
        say(f"created topic {topic.arn}")
    if topic.email and not topic.email_subscribed:
        sns.subscribe(TopicArn=topic.arn, Protocol="email", Endpoint=topic.email)
        topic.email_subscribed = True
        say(f"subscribed {topic.email} to {topic.arn} (confirm with the link in the e-mail)")
    return topic


# ---------------------------------------------------------------- plans


@dataclass(frozen=True)
class Scope:
    prefix: str
    tags: dict[str, str]
    account_concurrency: int | None = None

    def describe(self) -> str:
        parts = [f"prefix {self.prefix!r}"] if self.prefix else []
        parts += [f"tag {k}={v}" for k, v in self.tags.items()]
        return ", ".join(parts) or "every function"


def make_plan(aws: Aws, scope: Scope, topic: Topic) -> Plan:
    """What `apply` would do: create, update, prune (and conflicts it must leave alone)."""
    functions, everything = list_functions(aws, scope.prefix, scope.tags)
    warnings: list[str] = []
    limit: list[int] = []

    def account_limit() -> int:
        if not limit:
            limit.append(account_concurrency(aws, scope.account_concurrency, warnings))
        return limit[0]

    desired: dict[str, Alarm] = {}
    for fn in functions:
        if fn.skipped:
            continue
        for alarm in desired_alarms(fn, topic.arn, account_limit, warnings):
            desired[alarm.name] = alarm
    apis = list_http_apis(aws, warnings)
    relevant: set[str] = set()  # HTTP APIs that call a function in scope
    shown: list[str] = []
    by_arn = {fn.arn: fn for fn in functions}
    for api in apis or []:
        called = sorted((by_arn[a] for a in api.targets if a in by_arn), key=lambda f: f.name)
        if not called:
            continue
        relevant.add(api.id)
        shown.append(f"{api.name} ({api.id})" if api.name else api.id)
        alarmed = [fn.name for fn in called if not fn.skipped]
        if alarmed and not api.skipped:
            alarm = _api_5xx(api, alarmed, topic.arn, warnings)
            desired[alarm.name] = alarm
    existing = list_our_alarms(aws)
    changes, unchanged = _compare(desired, existing)
    in_scope = {fn.name for fn in functions}
    changes += _prunable(desired, existing, everything, in_scope, scope.prefix)
    if apis is not None:
        known = {api.id for api in apis}
        changes += _prunable_apis(desired, existing, everything, in_scope, scope.prefix, known,
                                  relevant)  # fmt: skip
    return Plan(topic, sorted(in_scope), changes, unchanged, warnings, shown)


def _compare(
    desired: dict[str, Alarm], existing: dict[str, Existing]
) -> tuple[list[Change], list[str]]:
    changes: list[Change] = []
    unchanged: list[str] = []
    for name, alarm in sorted(desired.items()):
        have = existing.get(name)
        change = Change("create", name, alarm.function, alarm.kind, alarm.threshold, [], alarm)
        change.api = alarm.api
        if have is None:
            change.details = [alarm.basis]
        elif not have.owned:
            change.action = "conflict"
            change.details = [f"exists without the tag {OWNER_TAG}={OWNER}: left alone"]
        else:
            change.details = differences(alarm.params, have.raw)
            if alarm.api and have.function != alarm.function:  # the API's first function
                change.details.append(f"tag {FUNCTION_TAG}: {have.function} -> {alarm.function}")
            change.arn = have.arn
            if not change.details:
                unchanged.append(name)
                continue
            change.action = "update"
        changes.append(change)
    return changes, unchanged


def _prunable(
    desired: dict[str, Alarm],
    existing: dict[str, Existing],
    everything: set[str],
    in_scope: set[str],
    prefix: str,
) -> list[Change]:
    """Our alarms of functions that are gone (and match the prefix), or in scope but no
    longer wanted (tagged off); alarms of functions outside the scope stay as they are."""
    doomed = []
    for name, have in sorted(existing.items()):
        if name in desired or not have.owned or have.function is None or have.api:
            continue
        if have.function not in everything and have.function.startswith(prefix):
            reason = "its function no longer exists"
        elif have.function in in_scope:
            reason = f"not wanted any more (tag {SKIP_TAG}=off, or another handler?)"
        else:
            continue
        kind = name.rsplit("/", 1)[-1]
        doomed.append(Change("delete", name, have.function, kind, None, [reason]))
    return doomed


def _prunable_apis(
    desired: dict[str, Alarm],
    existing: dict[str, Existing],
    everything: set[str],
    in_scope: set[str],
    prefix: str,
    known: set[str],
    relevant: set[str],
) -> list[Change]:
    """Our alarms of HTTP APIs that are gone (when the function that brought them in is gone
    too and matches the prefix, or is in scope), or that call functions in scope but are no
    longer wanted (the API or all its functions tagged off). Others stay as they are."""
    doomed = []
    for name, have in sorted(existing.items()):
        if name in desired or not have.owned or not have.api:
            continue
        first = have.function or ""
        if have.api not in known and (
            first in in_scope or (first not in everything and first.startswith(prefix))
        ):
            reason = "its HTTP API no longer exists"
        elif have.api in relevant:
            reason = f"not wanted any more (tag {SKIP_TAG}=off on the API or its functions?)"
        else:
            continue
        kind = name.rsplit("/", 1)[-1]
        change = Change("delete", name, first, kind, None, [reason])
        change.api = have.api
        doomed.append(change)
    return doomed


def destroy_plan(aws: Aws, scope: Scope) -> Plan:
    functions, everything = list_functions(aws, scope.prefix, scope.tags)
    in_scope = {fn.name for fn in functions}
    changes = []
    for name, have in sorted(list_our_alarms(aws).items()):
        fn = have.function
        if not have.owned or fn is None or not fn.startswith(scope.prefix):
            continue
        if scope.tags and fn in everything and fn not in in_scope:
            continue
        changes.append(Change("delete", name, fn, name.rsplit("/", 1)[-1], None, ["destroy"]))
    return Plan(None, sorted(in_scope), changes, [], [])


def execute(aws: Aws, plan: Plan, say: Callable[[str], None]) -> int:
    cw = aws.client("cloudwatch")
    for change in plan.changes:
        if change.action in ("create", "update"):
            assert change.desired is not None
            extra = {"Tags": alarm_tags(change.desired)} if change.action == "create" else {}
            cw.put_metric_alarm(**change.desired.params, **extra)
            if change.action == "update" and change.desired.api and change.arn:
                cw.tag_resource(ResourceARN=change.arn, Tags=alarm_tags(change.desired))
            say(f"{change.action}d {change.alarm}")
    doomed = [c.alarm for c in plan.changes if c.action == "delete"]
    for batch in _chunks(doomed, 100):
        cw.delete_alarms(AlarmNames=batch)
        for name in batch:
            say(f"deleted {name}")
    conflicts = [c.alarm for c in plan.changes if c.action == "conflict"]
    if conflicts:
        say(
            f"error: {len(conflicts)} alarm(s) of our names are not ours and were left alone: "
            f"{', '.join(conflicts)}; rename or tag them {OWNER_TAG}={OWNER}"
        )
        return EXIT_FAILED
    return EXIT_OK


# ---------------------------------------------------------------- showing plans


def _threshold(change: Change) -> str:
    if change.threshold is None:
        return ""
    unit = UNITS.get(change.kind, "")
    return f"> {_fmt(change.threshold)}" + (f" {unit}" if unit else "")


def render_table(plan: Plan, scope: Scope) -> str:
    lines = []
    if plan.topic is not None:
        state = "exists" if plan.topic.exists else "will be created"
        lines.append(f"Topic: {plan.topic.arn} ({state})")
        if plan.topic.email and not plan.topic.email_subscribed:
            lines.append(f"E-mail: {plan.topic.email} will be subscribed (needs confirmation)")
    lines.append(f"Functions: {len(plan.functions)} in scope ({scope.describe()})")
    if plan.apis:
        lines.append(f"HTTP APIs calling them: {', '.join(plan.apis)}")
    rows = [("ACTION", "ALARM", "THRESHOLD", "DETAIL")]
    for c in plan.changes:
        rows.append((c.action, c.alarm, _threshold(c), "; ".join(c.details)))
    if len(rows) > 1:
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        lines.append("")
        for row in rows:
            cells = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
            lines.append("  ".join(cells).rstrip())
        lines.append("")
    lines.append(
        f"Plan: {plan.count('create')} to create, {plan.count('update')} to update, "
        f"{plan.count('delete')} to delete, {len(plan.unchanged)} unchanged"
        + (f", {plan.count('conflict')} in conflict." if plan.count("conflict") else ".")
    )
    return "\n".join(lines)


def render_json(plan: Plan, scope: Scope) -> str:
    topic = None
    if plan.topic is not None:
        topic = {
            "arn": plan.topic.arn,
            "name": plan.topic.name,
            "exists": plan.topic.exists,
            "email": plan.topic.email,
            "email_subscribed": plan.topic.email_subscribed if plan.topic.email else None,
        }
    data = {
        "topic": topic,
        "scope": {"prefix": scope.prefix, "tags": scope.tags},
        "functions": plan.functions,
        "http_apis": plan.apis,
        "changes": [
            {
                "action": c.action,
                "alarm": c.alarm,
                "function": c.function,
                "http_api": c.api,
                "kind": c.kind,
                "threshold": c.threshold,
                "details": c.details,
            }
            for c in plan.changes
        ],
        "unchanged": plan.unchanged,
        "warnings": plan.warnings,
        "summary": {
            "create": plan.count("create"),
            "update": plan.count("update"),
            "delete": plan.count("delete"),
            "conflict": plan.count("conflict"),
            "unchanged": len(plan.unchanged),
        },
    }
    return json.dumps(data, indent=2)


# ---------------------------------------------------------------- `test`: the probe queue


def _notification(body: str) -> dict[str, Any]:
    """An SNS envelope from SQS: its subject, and its message (parsed when it is JSON)."""
    try:
        envelope = json.loads(body)
    except json.JSONDecodeError:
        return {"subject": None, "message": body}
    if not isinstance(envelope, dict):
        return {"subject": None, "message": envelope}
    message: Any = envelope.get("Message", body)
    with contextlib.suppress(TypeError, json.JSONDecodeError):
        message = json.loads(message)
    return {"subject": envelope.get("Subject"), "message": message}


class Probe:
    """An SQS queue subscribed to the topic for the length of one test; `close` removes both."""

    def __init__(self, aws: Aws, topic_arn: str, token: str) -> None:
        self.aws, self.topic_arn = aws, topic_arn
        self.name = f"{PROBE_PREFIX}{token[:12]}"
        self.queue_url: str | None = None
        self.subscription: str | None = None

    def open(self) -> None:
        sqs, sns = self.aws.client("sqs"), self.aws.client("sns")
        self.queue_url = sqs.create_queue(
            QueueName=self.name,
            Attributes={"MessageRetentionPeriod": "900"},
            tags={OWNER_TAG: OWNER},
        )["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])
        queue_arn = attrs["Attributes"]["QueueArn"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "TheTopicMayDeliver",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": self.topic_arn}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=self.queue_url, Attributes={"Policy": json.dumps(policy)})
        self.subscription = sns.subscribe(
            TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True
        )["SubscriptionArn"]
        if not str(self.subscription).startswith("arn:"):
            raise AlarmsError(
                f"the probe queue's subscription is {self.subscription!r}, not confirmed: a "
                "topic in another account needs the subscription confirmed there"
            )

    def wait(self, matches: Callable[[dict[str, Any]], bool], timeout_s: float) -> dict[str, Any]:
        """The first notification that `matches`, or an empty dict after `timeout_s`."""
        sqs = self.aws.client("sqs")
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            wait = int(min(20, left))
            got = sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait
            )
            for message in got.get("Messages", []):
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
                note = _notification(message["Body"])
                if matches(note):
                    return note
            if wait == 0:
                time.sleep(min(0.5, max(left, 0)))
        return {}

    def close(self) -> list[str]:
        """Remove the subscription and the queue; what could not be removed."""
        left: list[str] = []
        if self.subscription:
            try:
                self.aws.client("sns").unsubscribe(SubscriptionArn=self.subscription)
            except (ClientError, BotoCoreError) as exc:
                left.append(f"subscription {self.subscription} ({exc})")
        if self.queue_url:
            try:
                self.aws.client("sqs").delete_queue(QueueUrl=self.queue_url)
            except (ClientError, BotoCoreError) as exc:
                left.append(f"queue {self.queue_url} ({exc})")
        return left


@dataclass
class Trigger:
    """What `test` does to provoke a notification, and how it recognises it."""

    describe: str
    fire: Callable[[], str]  # does it; returns what happened, for the report
    matches: Callable[[dict[str, Any]], bool]
    on_timeout: str


def _alarm_message(note: dict[str, Any]) -> dict[str, Any]:
    message = note.get("message")
    return message if isinstance(message, dict) else {}


def _alarm_went_off(alarms: Collection[str]) -> Callable[[dict[str, Any]], bool]:
    """Whether a notification says one of `alarms` went into ALARM."""

    def matches(note: dict[str, Any]) -> bool:
        body = _alarm_message(note)
        return body.get("AlarmName") in alarms and body.get("NewStateValue") == "ALARM"

    return matches


def set_state_trigger(aws: Aws, alarm: str, topic_arn: str, token: str) -> Trigger:
    cw = aws.client("cloudwatch")
    found = cw.describe_alarms(AlarmNames=[alarm]).get("MetricAlarms", [])
    if not found:
        raise AlarmsError(f"there is no metric alarm named {alarm!r}")
    if topic_arn not in (found[0].get("AlarmActions") or []):
        raise AlarmsError(f"alarm {alarm!r} does not notify {topic_arn}")
    reason = f"oraculum alarms test {token}"

    def fire() -> str:
        if found[0].get("StateValue") == "ALARM":  # no transition, no notification: reset first
            cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason=reason)
        cw.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason=reason)
        now = cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]
        if now.get("StateValue") != "ALARM":
            raise AlarmsError(f"SetAlarmState was accepted but {alarm} is {now.get('StateValue')}")
        return f"state change recorded: {alarm} is ALARM ({now.get('StateReason')})"

    return Trigger(
        f"SetAlarmState ALARM on {alarm}",
        fire,
        _alarm_went_off({alarm}),
        "The state change was recorded, so CloudWatch did not deliver it: check that the "
        "alarm's actions are enabled, that the topic's access policy lets "
        "cloudwatch.amazonaws.com publish (and its KMS key, if encrypted, lets CloudWatch use "
        "it). A local emulator such as moto records the state change but never publishes it.",
    )


def _queries(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The alarm's own metric queries, as GetMetricData takes them."""
    if alarm.get("Metrics"):
        return [dict(q) for q in alarm["Metrics"]]
    stat = alarm.get("Statistic") or alarm.get("ExtendedStatistic")
    metric = {k: alarm[k] for k in ("Namespace", "MetricName") if alarm.get(k)}
    metric["Dimensions"] = alarm.get("Dimensions") or []
    query: dict[str, Any] = {"Metric": metric, "Period": int(alarm["Period"]), "Stat": stat}
    if alarm.get("Unit"):
        query["Unit"] = alarm["Unit"]
    return [{"Id": "watched", "MetricStat": query, "ReturnData": True}]


def alarm_reading(aws: Aws, alarm: dict[str, Any], periods: int = 3) -> float | None:
    """The highest value the alarm's own query (its metric, dimensions, statistic and period,
    or its metric math) has had over the last few periods; None when it has no data. What
    CloudWatch compares with the threshold, period by period."""
    queries = _queries(alarm)
    period = int(
        alarm.get("Period")
        or next((q["MetricStat"]["Period"] for q in queries if q.get("MetricStat")), PERIOD_S)
    )
    now = datetime.now(timezone.utc).replace(microsecond=0)  # noqa: UP017 (CloudShell's 3.9)
    start = now - timedelta(seconds=now.timestamp() % period + periods * period)
    got = aws.client("cloudwatch").get_metric_data(
        MetricDataQueries=queries, StartTime=start, EndTime=now + timedelta(seconds=period)
    )
    values = [v for r in got.get("MetricDataResults", []) for v in r.get("Values", [])]
    return max(values) if values else None


def breaches(alarm: dict[str, Any], value: float) -> bool:
    threshold = float(alarm.get("Threshold") or 0.0)
    return {
        "GreaterThanThreshold": value > threshold,
        "GreaterThanOrEqualToThreshold": value >= threshold,
        "LessThanThreshold": value < threshold,
        "LessThanOrEqualToThreshold": value <= threshold,
    }.get(str(alarm.get("ComparisonOperator")), False)


def emit_trigger(aws: Aws, alarm: str, topic_arn: str, token: str) -> Trigger:
    """Put one breaching data point on the custom metric the alarm watches (as the router's
    EMF line would), read it back through the alarm's own query, wait for ALARM."""
    cw = aws.client("cloudwatch")
    found = cw.describe_alarms(AlarmNames=[alarm]).get("MetricAlarms", [])
    if not found:
        raise AlarmsError(f"there is no metric alarm named {alarm!r}")
    raw = found[0]
    if topic_arn not in (raw.get("AlarmActions") or []):
        raise AlarmsError(f"alarm {alarm!r} does not notify {topic_arn}")
    namespace, metric = raw.get("Namespace"), raw.get("MetricName")
    if not namespace or not metric or raw.get("Statistic") not in ("Sum", "Maximum"):
        raise AlarmsError(  # one data point moves a Sum or a Maximum; an average, maybe not
            f"--emit needs an alarm on one metric's Sum or Maximum; {alarm} is not "
            "(use --alarm NAME to force its state)"
        )
    if str(namespace).startswith("AWS/"):
        raise AlarmsError(
            f"{alarm} watches {namespace} {metric}, which only AWS publishes (CloudWatch "
            f"refuses PutMetricData in AWS/ namespaces): use --alarm {alarm} to force its "
            "state, or make the service itself fail"
        )
    if not str(raw.get("ComparisonOperator")).startswith("GreaterThan"):
        raise AlarmsError(f"--emit needs an alarm that fires above its threshold; {alarm} is not")
    value = float(max(1, math.floor(float(raw.get("Threshold") or 0.0)) + 1))
    dims = raw.get("Dimensions") or []
    pairs = ", ".join(f"{d['Name']}={d['Value']}" for d in dims)
    shown = f"{namespace} {metric} {{{pairs}}}"

    def fire() -> str:
        if raw.get("StateValue") == "ALARM":  # no transition, no notification: reset first
            reason = f"oraculum alarms test {token}"
            cw.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason=reason)
        datum = {"MetricName": metric, "Dimensions": dims, "Value": value}
        unit = raw.get("Unit") or "Count"  # EMF's unit for ServerErrors
        cw.put_metric_data(Namespace=namespace, MetricData=[{**datum, "Unit": unit}])
        read: float | None = None
        deadline = time.monotonic() + 90  # a new data point is readable within seconds
        while (read is None or not breaches(raw, read)) and time.monotonic() < deadline:
            read = alarm_reading(aws, raw)
            if read is None or not breaches(raw, read):
                time.sleep(3)
        put = f"put {_fmt(value)} on {shown}"
        if read is None or not breaches(raw, read):
            return f"{put}; the alarm's own query does not read it yet"
        threshold = f"{_fmt(float(raw.get('Threshold') or 0.0))}"
        return (
            f"{put}; the alarm's own query reads {_fmt(read)} (threshold {threshold}): "
            "CloudWatch moves it to ALARM at its next evaluation"
        )

    return Trigger(
        f"a data point on {shown}, watched by {alarm}",
        fire,
        _alarm_went_off({alarm}),
        "CloudWatch evaluates the alarm every minute, so allow a few (--timeout 600); if the "
        "data point was read back, check that the alarm's actions are enabled and that the "
        "topic lets cloudwatch.amazonaws.com publish. A local emulator such as moto stores "
        "the data point but never evaluates alarms.",
    )


def _watches_errors(alarm: dict[str, Any], function: str) -> bool:
    dims = [("FunctionName", function)]
    if alarm.get("MetricName") == "Errors" and _dims(alarm.get("Dimensions")) == dims:
        return True
    for q in alarm.get("Metrics") or []:
        metric = (q.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName") == "Errors" and _dims(metric.get("Dimensions")) == dims:
            return True
    return False


def invoke_trigger(aws: Aws, function: str, topic_arn: str) -> Trigger:
    cw = aws.client("cloudwatch")
    watching = set()
    for page in cw.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm"]):
        for alarm in page.get("MetricAlarms", []):
            if topic_arn in (alarm.get("AlarmActions") or []) and _watches_errors(alarm, function):
                watching.add(alarm["AlarmName"])
    if not watching:
        raise AlarmsError(f"no alarm on the Errors of {function} notifies {topic_arn}")

    def fire() -> str:
        payload = json.dumps({"oraculumFault": "error"}).encode()
        got = aws.client("lambda").invoke(FunctionName=function, Payload=payload)
        if not got.get("FunctionError"):
            raise AlarmsError(
                f"{function} did not fail on the fault flag: set ORACULUM_FAULT_INJECTION=true "
                "in its environment (the handlers ignore the flag without it)"
            )
        failed = got["FunctionError"]
        return f"{function} failed on purpose ({failed}); watching {len(watching)} alarm(s)"

    return Trigger(
        f"invoke {function} with the fault flag",
        fire,
        _alarm_went_off(watching),
        "Errors reach CloudWatch about a minute after the invocation and the alarm evaluates "
        "every minute: allow --timeout 600 before concluding that the chain is broken.",
    )


def publish_trigger(aws: Aws, topic_arn: str, token: str) -> Trigger:
    def fire() -> str:
        aws.client("sns").publish(
            TopicArn=topic_arn,
            Subject="oraculum alarms test",
            Message=json.dumps({"oraculumAlarmsTest": token}),
        )
        return f"published a test message to {topic_arn}"

    def matches(note: dict[str, Any]) -> bool:
        return _alarm_message(note).get("oraculumAlarmsTest") == token

    return Trigger(
        "publish to the topic",
        fire,
        matches,
        "A message published to the topic did not reach the probe queue: check the topic's "
        "delivery policy and that SNS may send to SQS in this account and region.",
    )


def default_alarm(aws: Aws, topic_arn: str) -> str:
    owned = [a for a in list_our_alarms(aws).values() if a.owned]
    for alarm in sorted(owned, key=lambda a: (not a.name.endswith("/error-rate"), a.name)):
        if topic_arn in (alarm.raw.get("AlarmActions") or []):
            return alarm.name
    raise AlarmsError(
        f"no alarm of ours notifies {topic_arn}: run `apply` first, or pass --alarm NAME, "
        "--invoke FUNCTION or --publish"
    )


def run_test(aws: Aws, args: argparse.Namespace, say: Callable[[str], None]) -> int:
    topic = find_topic(aws, args.topic_name, args.topic_arn)
    if not topic.exists:
        raise AlarmsError(f"topic {topic.arn} does not exist: run `apply` first")
    token = uuid.uuid4().hex
    if args.publish:
        trigger = publish_trigger(aws, topic.arn, token)
    elif args.invoke:
        trigger = invoke_trigger(aws, args.invoke, topic.arn)
    elif args.emit:
        trigger = emit_trigger(aws, args.emit, topic.arn, token)
    else:
        alarm = args.alarm or default_alarm(aws, topic.arn)
        trigger = set_state_trigger(aws, alarm, topic.arn, token)
    probe = Probe(aws, topic.arn, token)
    started = time.monotonic()
    try:
        probe.open()
        say(f"probe queue {probe.name} subscribed to {topic.arn}")
        if args.settle > 0:
            time.sleep(args.settle)  # a new queue policy takes a moment to apply
        say(trigger.fire())
        say(f"waiting up to {_fmt(args.timeout)} s for the notification ({trigger.describe})")
        note = probe.wait(trigger.matches, args.timeout)
    finally:
        leftovers = probe.close()
        if leftovers:
            say(f"error: could not remove {'; '.join(leftovers)}")
        else:
            say(f"cleaned up: the probe queue {probe.name} and its subscription")
    if not note:
        say(
            f"error: no notification reached the probe queue within {_fmt(args.timeout)} s "
            f"({trigger.describe}). {trigger.on_timeout}"
        )
        return EXIT_FAILED
    elapsed = time.monotonic() - started
    body = _alarm_message(note)
    what = body.get("AlarmName") or note.get("subject") or "the test message"
    say(f"notification received after {elapsed:.1f} s: {what}")
    return EXIT_FAILED if leftovers else EXIT_OK


# ---------------------------------------------------------------- the command line


def _tag(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def _positive(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog=__doc__[__doc__.index("For every function") :] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    aws = argparse.ArgumentParser(add_help=False)
    aws.add_argument("--region", help="AWS region (default: the standard AWS settings)")
    aws.add_argument("--profile", help="AWS profile (default: the standard AWS settings)")
    scope = argparse.ArgumentParser(add_help=False)
    scope.add_argument("--prefix", default="", help="only functions whose name starts so")
    scope.add_argument(
        "--tag", action="append", type=_tag, default=[], metavar="KEY=VALUE",
        help="only functions with this tag (repeatable: all must match)",
    )  # fmt: skip

    def topic(p: argparse.ArgumentParser, required: bool) -> None:
        group = p.add_mutually_exclusive_group(required=required)
        group.add_argument("--topic-name", help="the SNS topic by name (apply creates it)")
        group.add_argument("--topic-arn", help="an existing SNS topic by ARN")

    def limits(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--account-concurrency", type=int, metavar="N",
            help="the account concurrency limit (default: from GetAccountSettings)",
        )  # fmt: skip
        p.add_argument("--email", help="subscribe this address to the topic (apply)")

    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    plan = sub.add_parser("plan", parents=[aws, scope], help="show what apply would change")
    topic(plan, True)
    limits(plan)
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument("--check", action="store_true", help="exit 3 when there is work to do")
    apply = sub.add_parser("apply", parents=[aws, scope], help="create, update and prune")
    topic(apply, True)
    limits(apply)
    destroy = sub.add_parser("destroy", parents=[aws, scope], help="delete our alarms")
    topic(destroy, False)
    destroy.add_argument(
        "--delete-topic", action="store_true",
        help="also delete the topic, if this tool created it",
    )  # fmt: skip
    test = sub.add_parser("test", parents=[aws], help="prove a notification reaches the topic")
    topic(test, True)
    how = test.add_mutually_exclusive_group()
    how.add_argument("--alarm", help="force this alarm to ALARM (default: one of ours)")
    how.add_argument(
        "--emit", metavar="ALARM",
        help="put a breaching data point on the custom metric this alarm watches "
        "(server-errors alarms: ServerErrors, as the router emits it)",
    )  # fmt: skip
    how.add_argument("--invoke", metavar="FUNCTION", help="invoke it with the fault flag")
    how.add_argument("--publish", action="store_true", help="publish to the topic directly")
    test.add_argument(
        "--timeout", type=_positive, default=None, metavar="S",
        help="how long to wait for the notification (default 120; 600 with --invoke, --emit)",
    )  # fmt: skip
    test.add_argument(
        "--settle", type=_positive, default=5.0, metavar="S",
        help="pause after subscribing the probe queue (default 5)",
    )  # fmt: skip
    return parser


def _say(line: str) -> None:
    stream = sys.stderr if line.startswith(("error:", "warning:")) else sys.stdout
    print(line, file=stream, flush=True)


def _scope(args: argparse.Namespace) -> Scope:
    return Scope(args.prefix, dict(args.tag), getattr(args, "account_concurrency", None))


def cmd_plan(aws: Aws, args: argparse.Namespace) -> int:
    scope = _scope(args)
    plan = make_plan(aws, scope, find_topic(aws, args.topic_name, args.topic_arn, args.email))
    for warning in plan.warnings:
        _say(f"warning: {warning}")
    if plan.topic is not None and args.topic_arn and not plan.topic.exists:
        _say(f"warning: topic {args.topic_arn} does not exist; apply will refuse it")
    print(render_json(plan, scope) if args.json else render_table(plan, scope))
    if args.check and plan.pending:
        return EXIT_PENDING
    return EXIT_FAILED if plan.count("conflict") else EXIT_OK


def cmd_apply(aws: Aws, args: argparse.Namespace) -> int:
    scope = _scope(args)
    topic = find_topic(aws, args.topic_name, args.topic_arn, args.email)
    if args.topic_arn and not topic.exists:
        raise AlarmsError(f"topic {args.topic_arn} does not exist (--topic-name creates one)")
    topic = ensure_topic(aws, topic, _say)
    plan = make_plan(aws, scope, topic)
    for warning in plan.warnings:
        _say(f"warning: {warning}")
    code = execute(aws, plan, _say)
    _say(render_table(plan, scope).splitlines()[-1].replace("Plan:", "Applied:"))
    return code


def cmd_destroy(aws: Aws, args: argparse.Namespace) -> int:
    if args.delete_topic and not (args.topic_name or args.topic_arn):
        raise UsageError("--delete-topic needs --topic-name or --topic-arn")
    plan = destroy_plan(aws, _scope(args))
    code = execute(aws, plan, _say)
    _say(f"Destroyed: {plan.count('delete')} alarm(s).")
    if args.delete_topic:
        topic = find_topic(aws, args.topic_name, args.topic_arn)
        if not topic.exists:
            _say(f"topic {topic.arn} does not exist")
            return code
        sns = aws.client("sns")
        tags = sns.list_tags_for_resource(ResourceArn=topic.arn).get("Tags", [])
        if {"Key": OWNER_TAG, "Value": OWNER} not in tags:
            raise AlarmsError(f"topic {topic.arn} was not created by this tool: left alone")
        sns.delete_topic(TopicArn=topic.arn)
        _say(f"deleted topic {topic.arn}")
    return code


def cmd_test(aws: Aws, args: argparse.Namespace) -> int:
    return run_test(aws, args, _say)


COMMANDS: dict[str, Callable[[Aws, argparse.Namespace], int]] = {
    "plan": cmd_plan,
    "apply": cmd_apply,
    "destroy": cmd_destroy,
    "test": cmd_test,
}


def main(argv: Sequence[str] | None = None, prog: str = "alarms.py") -> int:
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command == "test" and args.timeout is None:
        args.timeout = 600.0 if args.invoke or args.emit else 120.0
    try:
        return COMMANDS[args.command](Aws(args.region, args.profile), args)
    except UsageError as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except AlarmsError as exc:
        _say(f"error: {exc}")
        return EXIT_FAILED
    except ClientError as exc:
        _say(f"error: {exc.operation_name} failed: {_code(exc)}: {exc}")
        return EXIT_FAILED
    except BotoCoreError as exc:
        _say(f"error: {exc}")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
