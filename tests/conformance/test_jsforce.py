"""jsforce, unchanged, against the emulator: runs the Node.js suite in tests/conformance/jsforce.

The suite uses Node's own test runner (`node --test`). This wrapper starts an emulator,
hands the suite its credentials.json through EMULATOR_CREDENTIALS and its CA certificate
through NODE_EXTRA_CA_CERTS, and fails with node's output when any jsforce test fails.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from salesforce_emulator.testing import running_emulator

from .conftest import PACKAGE_DIR

SUITE_DIR = Path(__file__).parent / "jsforce"
NODE_TIMEOUT_SECONDS = 120


def _missing_tool() -> str | None:
    """Return why the suite cannot run here, or None when node and jsforce are installed."""
    if shutil.which("node") is None:
        return "node is not installed; install Node.js 20 or newer"
    if not (SUITE_DIR / "node_modules" / "jsforce" / "package.json").is_file():
        return f"jsforce is not installed in {SUITE_DIR}; run `make setup` (it runs `npm ci` there)"
    return None


def test_jsforce_suite(tmp_path):
    reason = _missing_tool()
    if reason is not None:
        # A machine without Node.js may skip the suite, but CI must run it.
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the jsforce conformance suite cannot run in CI: {reason}")
        pytest.skip(reason)

    with running_emulator(tmp_path / "org", PACKAGE_DIR) as org:
        env = {
            **os.environ,
            "EMULATOR_CREDENTIALS": str(org.credentials_file),
            "NODE_EXTRA_CA_CERTS": str(org.ca_file),
        }
        try:
            # The command is fixed; only the environment carries the emulator's details.
            # One test file at a time: auth.test.js expires every session of the org,
            # which would interrupt another file's calls running at the same moment.
            completed = subprocess.run(  # noqa: S603
                [shutil.which("node"), "--test", "--test-concurrency=1"],
                cwd=SUITE_DIR, env=env, capture_output=True, text=True, timeout=NODE_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            pytest.fail(
                f"node --test in {SUITE_DIR} timed out after {NODE_TIMEOUT_SECONDS} s; "
                f"its output so far:\n{error.stdout or ''}\n{error.stderr or ''}",
            )

    output = f"{completed.stdout}\n{completed.stderr}"
    assert completed.returncode == 0, f"node --test failed with exit code {completed.returncode}:\n{output}"
    assert "# fail 0" in completed.stdout, output
