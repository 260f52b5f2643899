"""A request's deadline (oraculum.time_budget): steps refuse to start without time left, a call's
timeout is cut to its share of what is left, a pause is not waited out when no call could
follow it, and pool workers keep the caller's deadline. The clients' own bounds are checked
here without a network (boto3's session Timeout, the Pinecone transport); against stalled
servers in tests/integration/test_deadlines_stall.py. Outside a request nothing changes."""

from __future__ import annotations

import pytest

from oraculum import time_budget
from oraculum.domain.errors import BackendUnavailable, DeadlineExceeded


def test_outside_a_request_every_step_runs_with_its_usual_timeout():
    assert time_budget.remaining() is None
    time_budget.check("the vector search")
    assert time_budget.call_timeout(4.0, "the Pinecone query", attempts=4) == 4.0


def test_within_a_deadline_each_attempt_gets_its_share_of_what_is_left():
    with time_budget.within(8.0):
        timeout = time_budget.call_timeout(4.0, "the Pinecone query", attempts=4)
        assert 1.9 < timeout <= 2.0  # a quarter of the 8 s left, not the usual 4 s
        assert time_budget.call_timeout(1.0, "one call") == 1.0  # its own limit is shorter
    assert time_budget.remaining() is None  # the deadline ends with its block


@pytest.mark.parametrize("seconds", [0.2, 0.0, -3.0])
def test_a_step_does_not_start_without_time_left(seconds):
    with time_budget.within(seconds), pytest.raises(DeadlineExceeded) as err:
        time_budget.call_timeout(4.0, "the Pinecone query")
    assert err.value.step == "the Pinecone query"
    assert "ran out of time before the Pinecone query" in str(err.value)
    assert isinstance(err.value, BackendUnavailable)  # callers that handle a backend handle it
    with time_budget.within(seconds), pytest.raises(DeadlineExceeded):
        time_budget.check("the document fetch")


def test_a_share_is_kept_for_retries_only_when_one_could_start_after_it():
    with time_budget.within(8.0):  # a timed-out quarter leaves 6 s: time for a pause and a retry
        assert 1.9 < time_budget.call_timeout(4.0, "q", attempts=4, pause_s=0.75) <= 2.0
    with time_budget.within(1.0):  # after a quarter and the pause, less than MIN_CALL_S: no retry
        assert 0.9 < time_budget.call_timeout(4.0, "q", attempts=4, pause_s=0.75) <= 1.0


def test_a_pause_is_taken_only_if_a_call_can_start_after_it():
    slept: list[float] = []
    time_budget.pause(3.0, "a retry", slept.append)  # no deadline: the pause as asked
    with time_budget.within(2.0):
        assert time_budget.fits(1.0) and not time_budget.fits(1.9)
        time_budget.pause(1.0, "a retry", slept.append)
        with pytest.raises(DeadlineExceeded, match="before a retry of the call") as err:
            time_budget.pause(1.9, "a retry of the call", slept.append)
    assert slept == [3.0, 1.0]  # the refused pause was not waited out
    assert 1.9 < err.value.left_s <= 2.0
    assert time_budget.fits(100.0)


def test_a_carried_function_keeps_the_callers_deadline_on_other_threads():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert (
            time_budget.carried(time_budget.remaining) is time_budget.remaining
        )  # nothing to carry
        with time_budget.within(5.0):
            assert pool.submit(time_budget.remaining).result() is None  # a thread starts without
            seen = list(pool.map(time_budget.carried(lambda _: time_budget.remaining()), range(16)))
            assert all(4.0 < left <= 5.0 for left in seen)  # on every worker, at once
        assert pool.submit(time_budget.remaining).result() is None  # and not left behind there
    assert time_budget.remaining() is None


def test_a_boto3_clients_timeouts_are_cut_to_the_deadline_of_each_call(fake_aws):
    """The session's Timeout, which urllib3 clones for each request in the caller's thread: the
    canary of what backends/aws/clients.py relies on in botocore and urllib3."""
    import boto3
    from botocore.config import Config

    from oraculum.backends.aws import clients as aws

    config = Config(connect_timeout=5.0, read_timeout=10.0)
    client = aws.bound_by_deadline(boto3.client("dynamodb", "us-east-1", config=config))
    session = client._endpoint.http_session
    pool = session._manager.connection_from_url("https://dynamodb.us-east-1.amazonaws.com")
    for timeout in (session._timeout, pool.timeout):
        usual = timeout.clone()
        assert (usual.connect_timeout, usual.read_timeout, usual.total) == (5.0, 10.0, None)
        with time_budget.within(2.0):
            cut = timeout.clone()
            assert 1.9 < cut.total <= 2.0 and cut.connect_timeout == cut.total
            assert timeout.connect_timeout <= 2.0  # what botocore's per-request override reads
        assert timeout.clone().total is None


def test_the_pinecone_transport_cuts_each_attempt_and_stops_a_retry_that_cannot_fit():
    import httpx
    from pinecone import RetryConfig

    from oraculum.backends.pinecone.errors import DeadlineTransport

    sent: list[dict] = []
    answer = {"status": 200, "headers": {}}

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(dict(request.extensions["timeout"]))
        return httpx.Response(answer["status"], headers=answer["headers"], json={})

    transport = DeadlineTransport(httpx.MockTransport(handler), RetryConfig(max_retries=3))

    def request() -> httpx.Request:
        timeouts = httpx.Timeout(10.0).as_dict()
        return httpx.Request("POST", "http://pinecone.test/query", extensions={"timeout": timeouts})

    transport.handle_request(request())  # no deadline: untouched
    assert sent[-1] == {"connect": 10.0, "read": 10.0, "write": 10.0, "pool": 10.0}
    with time_budget.within(2.0):
        transport.handle_request(request())
        assert all(1.9 < t <= 2.0 for t in sent[-1].values())  # every phase, cut
        answer.update(status=503)  # the SDK pauses at most 0.75 s before a first retry: fits
        assert transport.handle_request(request()).status_code == 503
        answer.update(headers={"retry-after": "5"})  # it would wait 5 s or more: no time
        with pytest.raises(DeadlineExceeded, match="a retry of Pinecone POST /query"):
            transport.handle_request(request())
    with time_budget.within(0.1), pytest.raises(DeadlineExceeded, match="before Pinecone POST"):
        transport.handle_request(request())
    assert len(sent) == 4  # the last was not sent
