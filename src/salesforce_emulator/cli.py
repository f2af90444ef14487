"""Command line: `salesforce-emulator serve --data-dir DIR --package-dir salesforce`."""

import argparse
import logging
import signal
import sys
from pathlib import Path

import structlog

from .org import Org
from .schema import PackageError
from .server import base_url_for, bind_socket, make_server
from .sessions import DEFAULT_SESSION_TIMEOUT_SECONDS
from .usage import DEFAULT_DAILY_API_LIMIT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesforce-emulator",
        description="A local HTTPS server that behaves like a Salesforce org.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve an org until interrupted")
    serve.add_argument(
        "--data-dir", type=Path, required=True,
        help="folder for the org database, certificates, files and credentials.json "
             "(created if missing)",
    )
    serve.add_argument(
        "--package-dir", type=Path, default=None,
        help="SFDX source folder (with sfdx-project.json) whose custom objects and fields "
             "the org has",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8443, help="TCP port (default 8443; 0 picks a free one)")
    serve.add_argument(
        "--daily-api-limit", type=int, default=DEFAULT_DAILY_API_LIMIT,
        help=f"API requests allowed per day (default {DEFAULT_DAILY_API_LIMIT})",
    )
    serve.add_argument(
        "--session-seconds", type=float, default=DEFAULT_SESSION_TIMEOUT_SECONDS,
        help="session timeout in seconds: a session expires this long after it was issued or "
             f"last extended (default {DEFAULT_SESSION_TIMEOUT_SECONDS}, Salesforce's two hours)",
    )
    serve.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"],
        help="uvicorn log level; debug also logs every request",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    arguments = _parser().parse_args(argv)
    # stdout carries only the lines below (URL and file paths) so scripts can read them.
    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(
            getattr(logging, arguments.log_level.upper()),
        ),
    )

    try:
        org = Org(arguments.data_dir, arguments.package_dir, arguments.daily_api_limit)
    except PackageError as error:
        print(f"salesforce-emulator: cannot load the package: {error}", file=sys.stderr)
        return 2
    org.sessions.timeout_seconds = arguments.session_seconds

    try:
        sock = bind_socket(arguments.host, arguments.port)
    except OSError as error:
        print(
            f"salesforce-emulator: cannot listen on {arguments.host}:{arguments.port}: {error}; "
            "choose another --port",
            file=sys.stderr,
        )
        org.close()
        return 2

    base_url = base_url_for(arguments.host, sock.getsockname()[1])
    credentials_file = org.write_credentials(base_url)
    print(f"Salesforce emulator serving {base_url}", flush=True)
    print(f"Credentials: {credentials_file}", flush=True)
    print(f"CA certificate: {org.tls.ca_cert}", flush=True)

    server = make_server(org, base_url, log_level=arguments.log_level)
    # uvicorn shuts down gracefully on SIGINT and SIGTERM, then raises the signal again
    # with the handlers that were set before it started. Ignoring it at that point lets
    # the database close and the command exit with status 0.
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda _number, _frame: None)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        org.close()
    return 0
