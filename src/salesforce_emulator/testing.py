"""Run an emulator inside a test: `with running_emulator(data_dir, package_dir) as org:`.

The server is the real uvicorn HTTPS server on a free loopback port, run in a thread of
the test process; clients reach it by URL and trust it through `ca_file`.
"""

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .faults import Faults
from .org import Org
from .server import base_url_for, bind_socket, make_server
from .sessions import DEFAULT_SESSION_TIMEOUT_SECONDS
from .usage import DEFAULT_DAILY_API_LIMIT

STARTUP_TIMEOUT_SECONDS = 15


@dataclass
class RunningEmulator:
    """A started emulator: where it listens, how to log in, and its org for direct access."""

    org: Org
    instance_url: str
    login_url: str
    ca_file: Path
    client_id: str
    client_secret: str
    username: str
    password: str
    security_token: str
    jwt_private_key_file: Path
    credentials_file: Path

    def call_count(self) -> int:
        """Return how many REST API calls the org has counted so far."""
        return self.org.usage.total_calls()

    def access_token(self, username: str | None = None) -> str:
        """Issue an access token for a user (the admin by default) without an HTTP call."""
        user = self.org.users.by_username(username or self.username)
        if user is None:
            raise LookupError(f"no active user with username {username!r} in the emulator")
        client_id = self.client_id
        return self.org.sessions.issue(user["Id"], client_id).token

    def refresh_token(self, username: str | None = None) -> str:
        """Issue a refresh token of the default connected app for a user (the admin by default).

        The emulator has no browser-based OAuth flow that would hand one out, so tests of
        the refresh_token grant get theirs here.
        """
        user = self.org.users.by_username(username or self.username)
        if user is None:
            raise LookupError(f"no active user with username {username!r} in the emulator")
        return self.org.sessions.issue_refresh_token(user["Id"], self.client_id)

    @property
    def faults(self) -> Faults:
        """Failures and delays to inject into the next REST calls."""
        return self.org.faults


@contextlib.contextmanager
def running_emulator(
    data_dir: Path,
    package_dir: Path | None = None,
    daily_api_limit: int = DEFAULT_DAILY_API_LIMIT,
    session_seconds: float = DEFAULT_SESSION_TIMEOUT_SECONDS,
) -> Iterator[RunningEmulator]:
    """Start an emulator on 127.0.0.1 with a free port; stop it when the block ends.

    session_seconds is the session timeout: a session expires that long after it was
    issued or last extended, and then fails with 401 INVALID_SESSION_ID.
    """
    org = Org(Path(data_dir), Path(package_dir) if package_dir else None, daily_api_limit)
    org.sessions.timeout_seconds = session_seconds
    sock = bind_socket("127.0.0.1", 0)
    base_url = base_url_for("127.0.0.1", sock.getsockname()[1])
    credentials_file = org.write_credentials(base_url)
    credentials = org.credentials(base_url)

    server = make_server(org, base_url)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="salesforce-emulator", daemon=True,
    )
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the Salesforce emulator did not start within {STARTUP_TIMEOUT_SECONDS} s "
                    f"(data dir {data_dir}); see the log above for the cause",
                )
            time.sleep(0.01)

        yield RunningEmulator(
            org=org,
            instance_url=base_url,
            login_url=base_url,
            ca_file=org.tls.ca_cert,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            username=credentials.username,
            password=credentials.password,
            security_token=credentials.security_token,
            jwt_private_key_file=Path(credentials.jwt_private_key_file),
            credentials_file=credentials_file,
        )
    finally:
        # force_exit skips waiting for clients to close idle keep-alive TLS connections,
        # which a test's HTTP session may hold open until it is garbage collected.
        server.should_exit = True
        server.force_exit = True
        thread.join(timeout=10)
        sock.close()
        org.close()
