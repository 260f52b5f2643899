"""infra/template.yaml read as data: no VPC, least privilege (the Pinecone key only where the
vector index is searched or written), every HTTP and scheduled function with its four alarms,
the API's 5xx and the router's ServerErrors watched too, timeouts under API Gateway's 29 s,
arm64; the ingest state machine (statemachine/ingest.asl.json) whole, its functions, roles and
alarms; and cfn-lint finds nothing, in the template and in the state machine's definition.

Each rule is a function returning the problems it finds, so that the rules themselves are
tested too: on the real template they find nothing, on a spoiled copy they find the spoiling.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from oraculum import knowledge_version
from oraculum.api.aws_lambda import handlers as lambda_handlers
from oraculum.api.aws_lambda import ingest_worker
from oraculum.api.http.routes import ROUTES
from oraculum.backends.dynamodb import lexical
from oraculum.backends.dynamodb.schema import table_definition

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.yaml"
ASL = ROOT / "infra" / "statemachine" / "ingest.asl.json"
FUNCTIONS = {"TarotFunction": "tarot", "HoroscopeFunction": "horoscope",
             "AskFunction": "ask", "PrecomputeFunction": "precompute"}  # fmt: skip
# the sharded ingest's functions (api/aws_lambda/ingest_worker.py), run by the state machine
INGEST_FUNCTIONS = {"IngestWorkerFunction": "shard", "IngestFinishFunction": "finish"}
# The only resources named with a wildcard, each inside one named resource: the objects of the
# stack's own source bucket, and the child executions of the ingest's Distributed Map.
WILDCARDS_ALLOWED = ("${IngestSourceBucket.Arn}/*",
                     ":execution:${AWS::StackName}-ingest/*")  # fmt: skip
# Actions IAM cannot scope to a resource: they name "*" (the model a Rerank call uses is
# scoped by bedrock:InvokeModel on that model beside it).
NO_RESOURCE_ACTIONS = ("bedrock:Rerank",)
HTTP_FUNCTIONS = ("TarotFunction", "HoroscopeFunction", "AskFunction")
# the functions that search the vector index (tarot readings; ask, search and /health), and
# so may read the Pinecone key; horoscope and precompute read the table and the sky only
SEARCHING_FUNCTIONS = ("TarotFunction", "AskFunction")
PINECONE_SETTINGS = ("ORACULUM_PINECONE_API_KEY_SSM", "ORACULUM_PINECONE_INDEX",
                     "ORACULUM_PINECONE_HOST")  # fmt: skip


# ---------------------------------------------------------------- a loader for CFN's tags
class CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads `!Ref x` as {"Ref": x}, `!Sub s` as {"Fn::Sub": s}, and so on."""


def _tag(loader: CfnLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _tag)


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CfnLoader)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load()


# ---------------------------------------------------------------- helpers
def walk(node: Any, path: str = "") -> Any:
    """Every (path, key, value) of a nested structure."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}[{i}]")


def resources(t: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in t["Resources"].items() if v["Type"] == kind}


def function_setting(t: dict[str, Any], logical: str, key: str) -> Any:
    props = t["Resources"][logical]["Properties"]
    return props[key] if key in props else t.get("Globals", {}).get("Function", {}).get(key)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def function_env(t: dict[str, Any], logical: str) -> dict[str, Any]:
    """A function's environment as SAM makes it: the Globals' variables, then its own."""
    env = dict(t.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {}))
    own = t["Resources"][logical]["Properties"].get("Environment", {}).get("Variables", {})
    return {**env, **own}


def role_of(t: dict[str, Any], logical: str) -> str:
    return t["Resources"][logical]["Properties"]["Role"]["Fn::GetAtt"][0]


def alarm_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    props = alarm["Properties"]
    if "MetricName" in props:
        return [props]
    return [q["MetricStat"]["Metric"] for q in props.get("Metrics", []) if "MetricStat" in q]


def statements(t: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM statement of the template, with where it is, `!If` branches included."""
    found = []
    for path, key, value in walk(t["Resources"]):
        if key in ("PolicyDocument", "AssumeRolePolicyDocument") and isinstance(value, dict):
            for st in value.get("Statement", []):
                branches = st["Fn::If"][1:] if "Fn::If" in st else [st]
                found += [(f"{path}/{key}", b) for b in branches if "Effect" in b]
    return found


def text_of(value: Any) -> str:
    """A resource as written: a string, or the template string of a !Sub, or a !GetAtt."""
    if isinstance(value, str):
        return value
    if "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    if "Fn::GetAtt" in value:
        return "${" + ".".join(value["Fn::GetAtt"]) + "}"
    if "Ref" in value:
        return "${" + value["Ref"] + "}"
    raise AssertionError(f"unexpected resource form {value!r}")


# ---------------------------------------------------------------- the rules
def vpc_problems(t: dict[str, Any]) -> list[str]:
    return [f"VpcConfig at {path or '/'}" for path, key, _ in walk(t) if key == "VpcConfig"]


def wildcard_problems(t: dict[str, Any]) -> list[str]:
    problems = []
    for where, st in statements(t):
        if "Principal" in st:  # a trust policy
            continue
        for action in as_list(st["Action"]):
            if "*" in action:
                problems.append(f"{where}: wildcard action {action}")
        if set(as_list(st["Action"])) <= set(NO_RESOURCE_ACTIONS) and st["Resource"] == "*":
            continue
        for res in as_list(st.get("Resource", "*")):
            if "*" in text_of(res) and not text_of(res).endswith(WILDCARDS_ALLOWED):
                problems.append(f"{where}: wildcard resource {text_of(res)} for {st['Action']}")
    return problems


def scope_problems(t: dict[str, Any]) -> list[str]:
    """bedrock:InvokeModel on the two named models only; DynamoDB on the table (and its
    by_doc index) only; SSM on the Pinecone key parameter only."""
    problems = []
    allowed = {
        "bedrock": (
            "foundation-model/${EmbedModelId}",
            "foundation-model/${GenerationModelId}",
            "foundation-model/${RerankModelId}",
        ),
        "dynamodb": ("${KnowledgeTable.Arn}",),
        "ssm": (":parameter${PineconeApiKeyParameter}",),
        "kms": ("${PineconeApiKeyKmsKeyArn}",),
        "logs": ("LogGroup.Arn}",),
        "s3": ("${IngestSourceBucket.Arn}/",),
        "lambda": ("${IngestWorkerFunction.Arn}", "${IngestFinishFunction.Arn}"),
        "states": (
            ":stateMachine:${AWS::StackName}-ingest",
            ":execution:${AWS::StackName}-ingest/",
        ),
    }
    for where, st in statements(t):
        if "Principal" in st:
            continue
        for action in as_list(st["Action"]):
            service = action.split(":")[0]
            if action in NO_RESOURCE_ACTIONS and st["Resource"] == "*":
                continue
            for res in as_list(st["Resource"]):
                written = text_of(res)
                if service not in allowed or not any(a in written for a in allowed[service]):
                    problems.append(f"{where}: {action} on {written}")
    return problems


def alarm_problems(t: dict[str, Any]) -> list[str]:
    """Each function: error-rate (metric math), Duration p99, Throttles, ConcurrentExecutions,
    all to the topic, missing data not breaching."""
    alarms = resources(t, "AWS::CloudWatch::Alarm")

    def watched(alarm: dict[str, Any]) -> tuple[str | None, set[str]]:
        metrics = alarm_metrics(alarm)
        names = {m["MetricName"] for m in metrics}
        refs = {d["Value"]["Ref"] for m in metrics for d in m["Dimensions"]
                if isinstance(d["Value"], dict) and "Ref" in d["Value"]}  # fmt: skip
        return (refs.pop() if len(refs) == 1 else None), names

    problems = []
    for logical in FUNCTIONS:
        kinds: dict[str, dict[str, Any]] = {}
        for name, alarm in alarms.items():
            function, metrics = watched(alarm)
            if function != logical:
                continue
            props = alarm["Properties"]
            if props.get("TreatMissingData") != "notBreaching":
                problems.append(f"{name}: missing data must be notBreaching")
            for actions in ("AlarmActions", "OKActions"):
                if props.get(actions) != [{"Ref": "AlarmTopic"}]:
                    problems.append(f"{name}: {actions} must be the alarm topic")
            kinds["/".join(sorted(metrics))] = props
        rate = kinds.get("Errors/Invocations")
        if rate is None or not any(
            q.get("Expression") == "100 * errors / invocations" for q in rate["Metrics"]
        ) or rate["Threshold"] != 1:  # fmt: skip
            problems.append(f"{logical}: no error-rate alarm 100 * errors / invocations > 1")
        duration = kinds.get("Duration")
        timeout = function_setting(t, logical, "Timeout")
        expected = min(25_000, round(0.8 * timeout * 1000, 3))
        if duration is None or duration.get("ExtendedStatistic") != "p99":
            problems.append(f"{logical}: no Duration p99 alarm")
        elif duration["Threshold"] != expected:
            problems.append(
                f"{logical}: Duration p99 threshold {duration['Threshold']} != {expected}"
            )
        throttles = kinds.get("Throttles")
        if throttles is None or throttles["Threshold"] != 0:
            problems.append(f"{logical}: no Throttles > 0 alarm")
        concurrency = kinds.get("ConcurrentExecutions")
        if concurrency is None or concurrency["Threshold"] != 80:
            problems.append(f"{logical}: no ConcurrentExecutions > 80 % alarm")
    return problems


def _notifies_topic(name: str, props: dict[str, Any]) -> list[str]:
    problems = []
    if props.get("TreatMissingData") != "notBreaching":
        problems.append(f"{name}: missing data must be notBreaching")
    for actions in ("AlarmActions", "OKActions"):
        if props.get(actions) != [{"Ref": "AlarmTopic"}]:
            problems.append(f"{name}: {actions} must be the alarm topic")
    return problems


def served_error_problems(t: dict[str, Any]) -> list[str]:
    """Errors never counts a failure the router answered (500/503), so: the HTTP API's 5xx
    (AWS/ApiGateway, dimension ApiId, Sum > 0 a minute), and for each HTTP function the
    router's ServerErrors (EMF) on exactly the dimensions Powertools publishes it with."""
    from oraculum import observability
    from oraculum.ops.alarms import server_errors_metric

    alarms = resources(t, "AWS::CloudWatch::Alarm")
    problems = []
    namespace = t["Globals"]["Function"]["Environment"]["Variables"].get(
        "POWERTOOLS_METRICS_NAMESPACE", observability.NAMESPACE
    )

    def single(props: dict[str, Any]) -> tuple[Any, ...]:
        dims = [(d["Name"], json.dumps(d["Value"])) for d in props.get("Dimensions", [])]
        return props.get("Namespace"), props.get("MetricName"), tuple(sorted(dims))

    found: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}
    for name, alarm in alarms.items():
        props = alarm["Properties"]
        if "MetricName" in props:
            found[single(props)] = (name, props)
    api_5xx = {"Namespace": "AWS/ApiGateway", "MetricName": "5xx",
               "Dimensions": [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]}  # fmt: skip
    wanted = {"HttpApi": single(api_5xx)}
    for logical in HTTP_FUNCTIONS:  # the metric the router's EMF line becomes
        wanted[logical] = single(server_errors_metric(FUNCTIONS[logical], namespace))
    for what, key in wanted.items():
        if key not in found:
            problems.append(f"{what}: no alarm on {key[0]} {key[1]} with dimensions {key[2]}")
            continue
        name, props = found[key]
        problems += _notifies_topic(name, props)
        rule = [props.get(k) for k in ("Statistic", "Period", "Threshold", "ComparisonOperator")]
        if rule != ["Sum", 60, 0, "GreaterThanThreshold"]:
            problems.append(f"{name}: must alarm on a Sum > 0 over 60 s")
    if namespace != observability.NAMESPACE:
        problems.append(
            f"POWERTOOLS_METRICS_NAMESPACE {namespace} is not {observability.NAMESPACE}"
        )
    return problems


def pinecone_problems(t: dict[str, Any]) -> list[str]:
    """Only the functions that search may read the Pinecone key (and get its settings)."""
    problems = []
    for logical in FUNCTIONS:
        role = t["Resources"][role_of(t, logical)]["Properties"]
        policies = [p.get("Ref") for p in role.get("ManagedPolicyArns", [])]
        inline = json.dumps(role.get("Policies", []))
        reads_key = "PineconeKeyPolicy" in policies or "PineconeApiKey" in inline
        env = function_env(t, logical)
        configured = [k for k in PINECONE_SETTINGS if k in env]
        if logical in SEARCHING_FUNCTIONS:
            if not reads_key:
                problems.append(f"{logical}: searches but cannot read the Pinecone key")
            if "ORACULUM_PINECONE_API_KEY_SSM" not in env:
                problems.append(f"{logical}: searches but has no ORACULUM_PINECONE_API_KEY_SSM")
        else:
            if reads_key:
                problems.append(f"{logical}: never searches but may read the Pinecone key")
            if configured:
                problems.append(f"{logical}: never searches but is given {', '.join(configured)}")
    return problems


def function_problems(t: dict[str, Any]) -> list[str]:
    problems = []
    for logical in resources(t, "AWS::Serverless::Function"):
        timeout = function_setting(t, logical, "Timeout")
        limit = 900 if logical in INGEST_FUNCTIONS else 28  # no HTTP request waits for ingest
        if not isinstance(timeout, int) or timeout > limit:
            problems.append(f"{logical}: timeout {timeout!r} is not at most {limit} s")
        if function_setting(t, logical, "Architectures") != ["arm64"]:
            problems.append(f"{logical}: not arm64")
        runtime = function_setting(t, logical, "Runtime")
        if not runtime.startswith("python3.") or int(runtime.split(".")[1]) < 12:
            problems.append(f"{logical}: runtime {runtime} is not Python 3.12 or newer")
        for key in ("MemorySize", "ReservedConcurrentExecutions"):
            if key == "ReservedConcurrentExecutions" and logical == "IngestFinishFunction":
                continue  # one invocation per execution: the worker's concurrency is the bound
            if "Ref" not in str(function_setting(t, logical, key)):
                problems.append(f"{logical}: {key} is not a parameter")
    return problems


RULES = (vpc_problems, wildcard_problems, scope_problems, alarm_problems, served_error_problems,
         pinecone_problems, function_problems)  # fmt: skip


# ---------------------------------------------------------------- the real template
@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_the_template_breaks_no_rule(template, rule):
    assert rule(template) == []


def test_every_function_has_four_alarms_the_http_ones_and_the_api_one_more(template):
    """Four a function, ServerErrors for each HTTP function, the API's 5xx: nothing else."""
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    functions = resources(template, "AWS::Serverless::Function")
    assert set(FUNCTIONS) | set(INGEST_FUNCTIONS) == set(functions)
    # and the ingest state machine's two (its functions' failures fail its executions)
    assert len(alarms) == 4 * len(FUNCTIONS) + len(HTTP_FUNCTIONS) + 1 + 2 == 22


def test_the_api_5xx_alarm_watches_the_http_api(template):
    props = template["Resources"]["ApiServerErrorsAlarm"]["Properties"]
    assert (props["Namespace"], props["MetricName"], props["Statistic"]) == (
        "AWS/ApiGateway", "5xx", "Sum")  # fmt: skip
    assert props["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}]
    assert (props["Period"], props["Threshold"], props["EvaluationPeriods"]) == (60, 0, 1)
    assert props["AlarmActions"] == props["OKActions"] == [{"Ref": "AlarmTopic"}]
    # one stage ($default): the ApiId dimension alone covers it
    assert "StageName" not in template["Resources"]["HttpApi"]["Properties"]


def test_server_errors_alarms_match_the_emf_line_powertools_writes(template, capsys, monkeypatch):
    """The router's data point, as observability writes it (one EMF line), is the metric
    each ServerErrors alarm watches: same namespace, name and whole dimension set."""
    from oraculum import observability

    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE", raising=False)
    observability.flush()  # nothing of another test's left in the shared sink
    capsys.readouterr()
    for logical in HTTP_FUNCTIONS:
        name = FUNCTIONS[logical]
        observability.count("ServerErrors", 1, function=name)
        observability.flush()
        line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        (dimension_set,) = directive["Dimensions"]
        published = {
            "Namespace": directive["Namespace"],
            "MetricName": directive["Metrics"][0]["Name"],
            "Dimensions": sorted((d, line[d]) for d in dimension_set),
        }
        alarm = template["Resources"][f"{logical.removesuffix('Function')}ServerErrorsAlarm"]
        props = alarm["Properties"]
        assert published == {
            "Namespace": props["Namespace"],
            "MetricName": props["MetricName"],
            "Dimensions": sorted((d["Name"], d["Value"]) for d in props["Dimensions"]),
        }
        assert line["ServerErrors"] == [1.0]
        assert props["Statistic"] == "Sum" and props["Threshold"] == 0


def test_only_the_searching_functions_may_read_the_pinecone_key(template):
    for logical in FUNCTIONS:
        role = template["Resources"][role_of(template, logical)]["Properties"]
        refs = {p["Ref"] for p in role["ManagedPolicyArns"] if "Ref" in p}
        assert ("PineconeKeyPolicy" in refs) == (logical in SEARCHING_FUNCTIONS), logical
        env = function_env(template, logical)
        has_key = env.get("ORACULUM_PINECONE_API_KEY_SSM") == {"Ref": "PineconeApiKeyParameter"}
        assert has_key == (logical in SEARCHING_FUNCTIONS), logical
    assert not set(PINECONE_SETTINGS) & set(
        template["Globals"]["Function"]["Environment"]["Variables"]
    )


def test_functions_run_our_handlers_from_the_packaged_directories(template):
    """Prebuilt by `make lambda-package`; `sam build` must skip them, or its Python builder
    would copy the directories without their *.pyc and *.so files."""
    for logical, name in FUNCTIONS.items():
        props = template["Resources"][logical]["Properties"]
        assert template["Resources"][logical]["Metadata"]["SkipBuild"] is True
        assert props["CodeUri"] == f"../build/lambda/{name}/"
        module, _, attr = props["Handler"].rpartition(".")
        assert module == "oraculum.api.aws_lambda.handlers" and callable(
            getattr(lambda_handlers, attr)
        )


def test_http_functions_serve_exactly_their_routes(template):
    """The gateway routes each function what its route table (api/http/routes.py) serves."""
    for logical in HTTP_FUNCTIONS:
        name = FUNCTIONS[logical]
        events = template["Resources"][logical]["Properties"]["Events"].values()
        routed = {(e["Properties"]["Method"], e["Properties"]["Path"]) for e in events}
        served = {(r.method, r.path) for r in ROUTES[name]()}
        assert routed == served, name


def test_jwt_authorizer_guards_every_route_but_health(template):
    api = template["Resources"]["HttpApi"]["Properties"]["Auth"]
    jwt = api["Authorizers"][api["DefaultAuthorizer"]]["JwtConfiguration"]
    assert jwt == {"issuer": {"Ref": "JwtIssuer"}, "audience": {"Ref": "JwtAudience"}}
    open_routes = [
        e["Properties"]["Path"]
        for logical in HTTP_FUNCTIONS
        for e in template["Resources"][logical]["Properties"]["Events"].values()
        if e["Properties"].get("Auth", {}).get("Authorizer") == "NONE"
    ]
    assert open_routes == ["/health"]


def test_http_functions_snapstart_published_versions(template):
    for logical in HTTP_FUNCTIONS:
        props = template["Resources"][logical]["Properties"]
        assert props["SnapStart"] == {"ApplyOn": {"Ref": "SnapStart"}}
        assert props["AutoPublishAlias"] and props["VersionDeletionPolicy"] == "Delete"
    assert template["Parameters"]["SnapStart"]["Default"] == "PublishedVersions"
    schedule = template["Resources"]["PrecomputeFunction"]["Properties"]["Events"]
    assert {e["Type"] for e in schedule.values()} == {"Schedule"}


def test_environment_selects_the_cloud_backends(template):
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert {k: env[k] for k in (
        "ORACULUM_DOCUMENT_STORE", "ORACULUM_VECTOR_INDEX", "ORACULUM_EMBEDDER",
        "ORACULUM_GENERATOR", "ORACULUM_AUTH_MODE")} == {
        "ORACULUM_DOCUMENT_STORE": "dynamodb", "ORACULUM_VECTOR_INDEX": "pinecone",
        "ORACULUM_EMBEDDER": "bedrock-cohere", "ORACULUM_GENERATOR": "bedrock",
        "ORACULUM_AUTH_MODE": "gateway"}  # fmt: skip
    for logical in SEARCHING_FUNCTIONS:
        own = function_env(template, logical)
        assert own["ORACULUM_PINECONE_API_KEY_SSM"] == {"Ref": "PineconeApiKeyParameter"}
        assert own["ORACULUM_PINECONE_INDEX"] == {"Ref": "PineconeIndexName"}
    assert env["ORACULUM_DYNAMODB_TABLE"] == {"Ref": "KnowledgeTable"}
    assert env["ORACULUM_FAULT_INJECTION"] == {"Ref": "FaultInjection"}
    assert template["Parameters"]["FaultInjection"]["Default"] == "false"


def test_table_matches_the_adapter_schema(template):
    """Keys and indexes as backends/dynamodb/schema.py creates them; on-demand, PITR, SSE."""
    props = template["Resources"]["KnowledgeTable"]["Properties"]
    wanted = table_definition("x")
    assert props["BillingMode"] == wanted["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == wanted["KeySchema"]
    assert sorted(map(str, props["AttributeDefinitions"])) == sorted(
        map(str, wanted["AttributeDefinitions"])
    )
    assert props["GlobalSecondaryIndexes"] == wanted["GlobalSecondaryIndexes"]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["TableName"] == {"Ref": "TableName"}
    assert template["Parameters"]["TableName"]["Default"] == "MetaphysicalKnowledgeBase"


def test_every_function_logs_to_a_group_with_retention(template):
    groups = resources(template, "AWS::Logs::LogGroup")
    for logical in FUNCTIONS:
        group = template["Resources"][logical]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert groups[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_topic_email_and_outputs(template):
    subscription = template["Resources"]["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert {"ApiUrl", "AlarmTopicArn"} <= set(template["Outputs"])


def test_stack_functions_are_left_to_the_stack_by_oraculum_alarms(template):
    from oraculum.ops.alarms import SKIP_TAG

    assert template["Globals"]["Function"]["Tags"][SKIP_TAG] == "off"


# ---------------------------------------------------------------- the rules catch spoiling
def _spoil(template: dict[str, Any], how: str) -> dict[str, Any]:
    t = copy.deepcopy(template)
    res = t["Resources"]
    if how == "vpc":
        res["AskFunction"]["Properties"]["VpcConfig"] = {"SubnetIds": ["subnet-1"]}
    elif how == "wildcard":
        res["ReadKnowledgePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"] = "*"
    elif how == "any-model":
        st = res["GeneratePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
        st["Resource"] = {
            "Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/other"
        }
    elif how == "missing-alarm":
        del res["HoroscopeThrottlesAlarm"]
    elif how == "slow-timeout":
        res["PrecomputeFunction"]["Properties"]["Timeout"] = 29
    elif how == "x86":
        res["TarotFunction"]["Properties"]["Architectures"] = ["x86_64"]
    elif how == "no-api-5xx":
        del res["ApiServerErrorsAlarm"]
    elif how == "emf-dimensions":  # an alarm on {function} alone sees nothing Powertools writes
        dims = res["AskServerErrorsAlarm"]["Properties"]["Dimensions"]
        dims[:] = [d for d in dims if d["Name"] != "service"]
    elif how == "horoscope-key":
        res["HoroscopeRole"]["Properties"]["ManagedPolicyArns"].append({"Ref": "PineconeKeyPolicy"})
    elif how == "precompute-settings":
        props = res["PrecomputeFunction"]["Properties"]
        props["Environment"] = {"Variables": {"ORACULUM_PINECONE_INDEX": "x"}}
    elif how == "tarot-no-key":
        refs = res["TarotRole"]["Properties"]["ManagedPolicyArns"]
        refs.remove({"Ref": "PineconeKeyPolicy"})
    elif how == "any-object":
        res["IngestSourcePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Resource"] = "*"
    elif how == "ingest-timeout":
        res["IngestWorkerFunction"]["Properties"]["Timeout"] = 901
    elif how == "other-function":
        role = res["IngestStateMachineRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        role["Statement"][0]["Resource"].append({"Fn::GetAtt": ["TarotFunction", "Arn"]})
    return t


@pytest.mark.parametrize(
    ("how", "rule", "found"),
    [
        ("vpc", vpc_problems, "VpcConfig"),
        ("wildcard", wildcard_problems, "wildcard resource *"),
        ("any-model", scope_problems, "foundation-model/other"),
        ("missing-alarm", alarm_problems, "HoroscopeFunction: no Throttles"),
        ("slow-timeout", function_problems, "PrecomputeFunction: timeout 29"),
        ("x86", function_problems, "TarotFunction: not arm64"),
        ("no-api-5xx", served_error_problems, "HttpApi: no alarm on AWS/ApiGateway 5xx"),
        ("emf-dimensions", served_error_problems, "AskFunction: no alarm on Oraculum ServerErrors"),
        ("horoscope-key", pinecone_problems, "HoroscopeFunction: never searches but may read"),
        ("precompute-settings", pinecone_problems, "is given ORACULUM_PINECONE_INDEX"),
        ("tarot-no-key", pinecone_problems, "TarotFunction: searches but cannot read"),
        ("any-object", wildcard_problems, "wildcard resource *"),
        ("ingest-timeout", function_problems, "IngestWorkerFunction: timeout 901"),
        ("other-function", scope_problems, "lambda:InvokeFunction on ${TarotFunction.Arn}"),
    ],
)
def test_each_rule_catches_its_spoiling(template, how, rule, found):
    problems = rule(_spoil(template, how))
    assert any(found in p for p in problems), problems


# ---------------------------------------------------------------- cfn-lint
def test_cfn_lint_is_clean():
    """cfn-lint finds nothing. Its runtime-deprecation rule (E2533) compares the machine's date
    with each runtime's end of support, so it is checked below against the suite's clock."""
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    assert cfn_lint.exists(), "cfn-lint is part of the test extra: pip install -e '.[test]'"
    done = subprocess.run(
        [str(cfn_lint), "--ignore-checks", "E2533", "W2531", "--", str(TEMPLATE)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_lambda_runtime_is_supported_on_the_suites_day(template):
    """The functions' runtime is not deprecated on the suite's day (ORACULUM_NOW), by the
    lifecycle table cfn-lint ships: the check its rule E2533 makes against the machine's date."""
    import json
    from datetime import date

    import cfnlint

    from oraculum.clock import today
    from oraculum.config import Settings

    table = Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json"
    lifecycle = json.loads(table.read_text())
    runtime = template["Globals"]["Function"]["Runtime"]
    deprecated = date.fromisoformat(lifecycle[runtime]["deprecated"])
    assert today(Settings().clock()) < deprecated, f"{runtime} is deprecated since {deprecated}"


def test_the_functions_environment_makes_valid_settings(template, monkeypatch, tmp_path):
    """Every ORACULUM_* variable the template sets on a function is a setting (the fault flag
    aside, which the handlers read themselves), and together they pass the settings'
    validation; only the searching functions know where the Pinecone key is."""
    from oraculum.config import Settings

    placeholders = {"KnowledgeTable": "MetaphysicalKnowledgeBase"}
    monkeypatch.chdir(tmp_path)  # no oraculum.toml
    for logical in FUNCTIONS:
        for key in [k for k in os.environ if k.startswith("ORACULUM_")]:
            monkeypatch.delenv(key)
        for key, value in function_env(template, logical).items():
            if not key.startswith("ORACULUM_") or key == "ORACULUM_FAULT_INJECTION":
                continue
            assert key.removeprefix("ORACULUM_").lower() in Settings.model_fields, key
            if isinstance(value, dict):
                if "Fn::If" in value:  # the Pinecone host: given, or looked up by name
                    value = value["Fn::If"][1]
                ref = value.get("Ref") or ""
                default = template["Parameters"].get(ref, {}).get("Default", placeholders.get(ref))
                value = default or "https://example-index.svc.pinecone.io"
            monkeypatch.setenv(key, str(value))
        settings = Settings()
        assert (settings.document_store, settings.vector_index, settings.embedder,
                settings.generator, settings.auth_mode) == (
            "dynamodb", "pinecone", "bedrock-cohere", "bedrock", "gateway")  # fmt: skip
        searches = logical in SEARCHING_FUNCTIONS
        key_ssm = "/oraculum/pinecone-api-key" if searches else None
        assert settings.pinecone_api_key_ssm == key_ssm, logical


# ---------------------------------------------------------------- the sharded ingest
def asl() -> dict[str, Any]:
    return json.loads(ASL.read_text(encoding="utf-8"))


def state_graph_problems(definition: dict[str, Any], where: str = "") -> list[str]:
    """Every StartAt, Next and Default names a state of its level; every state is reached
    from StartAt; a level has an end (Succeed, Fail or End); the same inside each Map."""
    states = definition["States"]
    problems = []
    if definition["StartAt"] not in states:
        problems.append(f"{where}StartAt {definition['StartAt']!r} is no state")
    reached, todo = set(), [definition["StartAt"]]
    while todo:
        name = todo.pop()
        if name in reached or name not in states:
            continue
        reached.add(name)
        state = states[name]
        targets = [state.get("Next"), state.get("Default")]
        targets += [c.get("Next") for c in state.get("Choices", [])]
        targets += [c.get("Next") for c in state.get("Catch", [])]
        for target in filter(None, targets):
            if target not in states:
                problems.append(f"{where}{name}: Next {target!r} is no state")
            todo.append(target)
        if "ItemProcessor" in state:
            problems += state_graph_problems(state["ItemProcessor"], f"{where}{name}/")
    problems += [f"{where}{name}: never reached" for name in states if name not in reached]
    ends = [n for n, st in states.items() if st["Type"] in ("Succeed", "Fail") or st.get("End")]
    if not ends:
        problems.append(f"{where}no state ends the workflow")
    return problems


def test_the_state_machine_definition_is_a_whole_graph():
    assert state_graph_problems(asl()) == []
    dangling = asl()
    dangling["States"]["Plan"]["Next"] = "Nowhere"
    found = state_graph_problems(dangling)
    assert any("Plan: Next 'Nowhere'" in p for p in found), found
    orphan = asl()
    orphan["States"]["LoadShards"]["ItemProcessor"]["States"]["Orphan"] = {"Type": "Succeed"}
    found = state_graph_problems(orphan)
    assert found == ["LoadShards/Orphan: never reached"], found


def test_the_state_machine_is_wired_to_the_two_ingest_functions(template):
    machine = template["Resources"]["IngestStateMachine"]["Properties"]
    assert (TEMPLATE.parent / machine["DefinitionUri"]).resolve() == ASL
    text = ASL.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{(\w+)\}", text))
    assert used == set(machine["DefinitionSubstitutions"]) == {
        "IngestConcurrency", "IngestWorkerFunctionArn", "IngestFinishFunctionArn"}  # fmt: skip
    assert machine["DefinitionSubstitutions"]["IngestWorkerFunctionArn"] == {
        "Fn::GetAtt": ["IngestWorkerFunction", "Arn"]}  # fmt: skip
    definition = asl()
    shards = definition["States"]["LoadShards"]
    assert shards["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert shards["MaxConcurrencyPath"] == "$.job.concurrency"
    assert "ToleratedFailurePercentage" not in shards  # 0: any failed shard fails the run
    task = shards["ItemProcessor"]["States"]["LoadShard"]
    assert task["Parameters"]["FunctionName"] == "${IngestWorkerFunctionArn}"
    assert definition["States"]["Finish"]["Parameters"]["FunctionName"] == (
        "${IngestFinishFunctionArn}")  # fmt: skip
    for retrying in (task, definition["States"]["Finish"]):
        assert "IngestRetry" in retrying["Retry"][0]["ErrorEquals"]
    assert ingest_worker.IngestRetry.__name__ == "IngestRetry"  # the error name it raises
    worker = template["Resources"]["IngestWorkerFunction"]["Properties"]
    assert worker["ReservedConcurrentExecutions"] == {"Ref": "IngestConcurrency"}


def test_ingest_functions_run_the_worker_handlers_from_the_ingest_package(template):
    for logical, attr in INGEST_FUNCTIONS.items():
        props = template["Resources"][logical]["Properties"]
        assert template["Resources"][logical]["Metadata"]["SkipBuild"] is True
        assert props["CodeUri"] == "../build/lambda/ingest/"
        assert props["Handler"] == f"oraculum.api.aws_lambda.ingest_worker.{attr}"
        assert callable(getattr(ingest_worker, attr))
        role = template["Resources"][role_of(template, logical)]["Properties"]
        assert {"Ref": "PineconeKeyPolicy"} in role["ManagedPolicyArns"]  # both open the index
        env = function_env(template, logical)
        assert env["ORACULUM_PINECONE_API_KEY_SSM"] == {"Ref": "PineconeApiKeyParameter"}
        group = props["LoggingConfig"]["LogGroup"]["Ref"]
        assert template["Resources"][group]["Properties"]["RetentionInDays"] == {
            "Ref": "LogRetentionDays"}  # fmt: skip


def test_ingest_roles_write_only_their_own_meta_items(template):
    def leading_keys(policy: str) -> list[str]:
        doc = template["Resources"][policy]["Properties"]["PolicyDocument"]
        (put,) = [st for st in doc["Statement"] if st["Action"] == "dynamodb:PutItem"]
        return put["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]

    # the stale note (before each batch) and the base's version (after the finish) are the
    # meta items the code writes beside the manifests, the claim and the lexical index
    stale, version = f"~meta#{lexical.STALE}", f"~meta#{knowledge_version.KEY}"
    worker_keys = ["~meta#ingest-run/*", "~meta#model_id", stale]
    assert leading_keys("IngestWorkerTablePolicy") == worker_keys
    assert leading_keys("IngestFinishTablePolicy") == ["~meta#lexical/*", version]
    assert stale.startswith("~meta#lexical/")  # the finish may clear it
    actions = {a for _, st in statements(template) for a in as_list(st["Action"])}
    assert not {"dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DeleteItem"} & actions
    worker = template["Resources"]["IngestWorkerRole"]["Properties"]["ManagedPolicyArns"]
    assert {"Ref": "IngestSourcePolicy"} in worker and {"Ref": "EmbedPolicy"} in worker
    finish = template["Resources"]["IngestFinishRole"]["Properties"]["ManagedPolicyArns"]
    assert {"Ref": "IngestSourcePolicy"} not in finish and {"Ref": "EmbedPolicy"} not in finish


def test_failed_and_timed_out_ingest_executions_alarm(template):
    for name, metric in (("IngestExecutionsFailedAlarm", "ExecutionsFailed"),
                         ("IngestExecutionsTimedOutAlarm", "ExecutionsTimedOut")):  # fmt: skip
        props = template["Resources"][name]["Properties"]
        assert (props["Namespace"], props["MetricName"]) == ("AWS/States", metric)
        assert props["Dimensions"] == [
            {"Name": "StateMachineArn", "Value": {"Ref": "IngestStateMachine"}}]  # fmt: skip
        assert (props["Statistic"], props["Period"], props["Threshold"]) == ("Sum", 60, 0)
        assert _notifies_topic(name, props) == []
    assert asl()["TimeoutSeconds"] == 86_400


def test_cfn_lint_is_clean_on_the_state_machine_definition(tmp_path):
    """cfn-lint reads a DefinitionUri file no further: here the definition is inlined in a
    template of its own, where its rule E3601 checks it against the States language."""
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    inline = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "RoleArn": "arn:aws:iam::123456789012:role/ingest", "Definition": asl(),
            "DefinitionSubstitutions": {"IngestConcurrency": "4",
                                        "IngestWorkerFunctionArn": "arn:aws:lambda:x",
                                        "IngestFinishFunctionArn": "arn:aws:lambda:y"}}}},
    }  # fmt: skip
    for name, definition in (("clean", inline), ("spoiled", copy.deepcopy(inline))):
        if name == "spoiled":
            definition["Resources"]["Machine"]["Properties"]["Definition"]["States"]["Plan"][
                "Type"] = "Pas"  # fmt: skip
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(definition))
        done = subprocess.run([str(cfn_lint), "--", str(path)], capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        if name == "clean":
            assert done.returncode == 0, done.stdout + done.stderr
        else:
            assert done.returncode != 0 and "E3601" in done.stdout


def test_the_reranker_is_off_unless_asked_and_then_ask_alone_may_call_it(template):
    params = template["Parameters"]
    assert params["Reranker"]["Default"] == "none"
    assert template["Resources"]["RerankPolicy"]["Condition"] == "RerankOn"
    env = function_env(template, "AskFunction")
    assert env["ORACULUM_RERANKER"] == {"Ref": "Reranker"}
    for logical in FUNCTIONS:
        role = template["Resources"][role_of(template, logical)]["Properties"]
        conditional = [p["Fn::If"] for p in role["ManagedPolicyArns"] if "Fn::If" in p]
        reranks = [c for c in conditional if c[1] == {"Ref": "RerankPolicy"}]
        assert bool(reranks) == (logical == "AskFunction"), logical
        assert all(c[0] == "RerankOn" for c in reranks)
