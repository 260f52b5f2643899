"""schemathesis, as a user runs it, over every route of the live local server.

All its checks: no 5xx, every status code and content type documented, every body matching
its schema, schema-valid requests accepted and schema-violating ones refused, 405s with Allow.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_schemathesis_finds_nothing(live_server):
    cli = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    done = subprocess.run(
        [cli, "run", f"{live_server}/openapi.json", "--checks", "all",
         "--header", "Authorization: Bearer test-key", "--max-examples", "15",
         "--generation-deterministic", "--workers", "1"],
        capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
