"""A request's deadline (oraculum.deadline): steps refuse to start without time left, and a
call's timeout is cut to its share of what is left. Outside a request nothing changes."""

from __future__ import annotations

import pytest

from oraculum import deadline
from oraculum.domain.errors import BackendUnavailable, DeadlineExceeded


def test_outside_a_request_every_step_runs_with_its_usual_timeout():
    assert deadline.remaining() is None
    deadline.check("the vector search")
    assert deadline.call_timeout(4.0, "the Pinecone query", attempts=4) == 4.0


def test_within_a_deadline_each_attempt_gets_its_share_of_what_is_left():
    with deadline.within(8.0):
        timeout = deadline.call_timeout(4.0, "the Pinecone query", attempts=4)
        assert 1.9 < timeout <= 2.0  # a quarter of the 8 s left, not the usual 4 s
        assert deadline.call_timeout(1.0, "one call") == 1.0  # its own limit is shorter
    assert deadline.remaining() is None  # the deadline ends with its block


@pytest.mark.parametrize("seconds", [0.2, 0.0, -3.0])
def test_a_step_does_not_start_without_time_left(seconds):
    with deadline.within(seconds), pytest.raises(DeadlineExceeded) as err:
        deadline.call_timeout(4.0, "the Pinecone query")
    assert err.value.step == "the Pinecone query"
    assert "ran out of time before the Pinecone query" in str(err.value)
    assert isinstance(err.value, BackendUnavailable)  # callers that handle a backend handle it
    with deadline.within(seconds), pytest.raises(DeadlineExceeded):
        deadline.check("the document fetch")
