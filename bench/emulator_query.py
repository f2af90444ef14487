"""Benchmark the emulator's SOQL query resource on an org with 100,000 contract requests.

Builds (or reuses) an org whose Contract_Request__c table contains 100,000 rows, starts the
emulator as its own process, and times the first page of selective queries over real
HTTPS. Prints min/median/max milliseconds per query and the server's memory.

Run it with `make bench`, or:

    .venv/bin/python bench/emulator_query.py [--data-dir DIR] [--runs N] [--rebuild]

Results and the machines they came from are recorded in bench/README.md.
"""

# A benchmark prints its figures as its output, so print() is intended here.
# ruff: noqa: T201

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from salesforce_emulator.org import Org

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGE_DIR = REPOSITORY / "salesforce"
DEFAULT_DATA_DIR = REPOSITORY / "data" / "bench-org"
API_VERSION = "62.0"

REQUEST_COUNT = 100_000
ACCOUNT_COUNT = 1_000
CONTRACT_TYPE_CODES = ["NDA", "MSA", "SOW", "DPA", "ORDER"]
# One status per slot of 20 rows: 60 % Accepted, 15 % Declined, 10 % Draft and 5 % each
# of Submitted, Pending and Cancelled, so a filter on Submitted matches 5,000 rows.
STATUS_CYCLE = (
    ["Accepted"] * 12 + ["Declined"] * 3 + ["Draft"] * 2 + ["Submitted", "Pending", "Cancelled"]
)
# The fields SalesConnect's inbound poll reads, parent fields through two lookups included.
SELECT_FIELDS = (
    "Id, Name, Status__c, Account__c, Account__r.Name, Account__r.BillingCity, "
    "Contract_Type__c, Contract_Type__r.Name, Contract_Type__r.ContractDesk_Code__c, "
    "Term_Type__c, Effective_Date__c, Term_Months__c, Proposed_Value__c, SystemModstamp"
)
SERVER_START_TIMEOUT_SECONDS = 60


@dataclass
class QueryCase:
    """One benchmarked query: its label and SOQL."""

    label: str
    soql: str


# Building the org ----------------------------------------------------------------------


def build_org(data_dir: Path) -> None:
    """Create the org's records through the emulator's Python API, in one transaction.

    RecordService.create validates each record as the REST API does. Inside one
    Store.transaction each create is a savepoint instead of a commit, so 100,000 rows
    take seconds instead of minutes.
    """
    org = Org(data_dir, PACKAGE_DIR)
    try:
        admin_id = org.admin_id
        started = time.perf_counter()
        with org.store.transaction():
            type_ids = [
                org.records.create("Contract_Type__c", {"Name": code, "ContractDesk_Code__c": code}, admin_id)
                for code in CONTRACT_TYPE_CODES
            ]
            account_ids = [
                org.records.create("Account", {
                    "Name": f"Bench Account {number:04d}", "BillingCity": f"City {number % 50}",
                }, admin_id)
                for number in range(ACCOUNT_COUNT)
            ]
            for number in range(REQUEST_COUNT):
                org.records.create("Contract_Request__c", {
                    "Name": f"Request {number:06d}",
                    "Account__c": account_ids[number % ACCOUNT_COUNT],
                    "Contract_Type__c": type_ids[number % len(type_ids)],
                    "Status__c": STATUS_CYCLE[number % len(STATUS_CYCLE)],
                    "Term_Type__c": "Fixed",
                    "Term_Months__c": 12 + number % 24,
                    "Proposed_Value__c": 1000 + number,
                }, admin_id)
        print(f"built {REQUEST_COUNT} contract requests in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        org.close()


def request_count(data_dir: Path) -> int:
    """Return how many live Contract_Request__c rows the org in data_dir has, 0 if none."""
    database = data_dir / "org.sqlite3"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as connection:
        try:
            row = connection.execute('SELECT COUNT(*) FROM "sobj_Contract_Request__c" WHERE "IsDeleted" = 0').fetchone()
        except sqlite3.OperationalError:
            return 0
    return row[0]


def query_cases(data_dir: Path) -> list[QueryCase]:
    """Build the benchmarked queries from values read out of the org's database."""
    with sqlite3.connect(data_dir / "org.sqlite3") as connection:
        account_id = connection.execute(
            'SELECT "Id" FROM "sobj_Account" WHERE "Name" = ?', ("Bench Account 0421",),
        ).fetchone()[0]
        stamps = [
            row[0] for row in connection.execute(
                'SELECT "SystemModstamp" FROM "sobj_Contract_Request__c" WHERE "Name" IN (?, ?, ?) '
                'ORDER BY "SystemModstamp"',
                ("Request 060000", "Request 061999", "Request 099000"),
            )
        ]
    window_start, window_end, poll_start = stamps
    base = f"SELECT {SELECT_FIELDS} FROM Contract_Request__c"  # noqa: S608 - SOQL from fixed names and ids read from the org
    return [
        QueryCase("lookup: Account__c = id (100 rows)", f"{base} WHERE Account__c = '{account_id}'"),
        QueryCase("Name = literal (1 row)", f"{base} WHERE Name = 'Request 054321'"),
        QueryCase(
            "SystemModstamp range, ORDER BY (about 2,000 rows)",
            f"{base} WHERE SystemModstamp >= {window_start} AND SystemModstamp <= {window_end} "
            "ORDER BY SystemModstamp",
        ),
        QueryCase("Status__c = 'Submitted' (5,000 rows)", f"{base} WHERE Status__c = 'Submitted'"),
        QueryCase(
            "inbound poll: Status__c IN + SystemModstamp >=, ORDER BY (about 100 rows)",
            f"{base} WHERE Status__c IN ('Submitted', 'Cancelled') AND SystemModstamp >= {poll_start} "
            "ORDER BY SystemModstamp",
        ),
    ]


# Running the server --------------------------------------------------------------------


def start_server(data_dir: Path) -> tuple[subprocess.Popen, dict]:
    """Start the emulator as its own process and return it with its credentials."""
    command = [
        sys.executable, "-m", "salesforce_emulator", "serve", "--data-dir", str(data_dir),
        "--package-dir", str(PACKAGE_DIR), "--port", "0", "--log-level", "warning",
    ]
    # The command is fixed; the benchmark starts its own emulator.
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    lines = []
    while len(lines) < 3:
        line = server.stdout.readline()
        if not line or time.monotonic() > deadline:
            server.terminate()
            raise RuntimeError(
                f"the emulator did not start within {SERVER_START_TIMEOUT_SECONDS} s; "
                f"it printed {lines!r}; see its log above",
            )
        lines.append(line.strip())
    credentials = json.loads((data_dir / "credentials.json").read_text("utf-8"))
    return server, credentials


def stop_server(server: subprocess.Popen) -> None:
    """Stop the emulator with SIGTERM, as an operator would."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def memory_kib(pid: int) -> dict[str, int]:
    """Return the resident (VmRSS) and peak resident (VmHWM) memory of a process in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def access_token(http: requests.Session, credentials: dict) -> str:
    """Get a session with the OAuth client credentials grant."""
    response = http.post(
        f"{credentials['login_url']}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["access_token"]


def time_first_page(http: requests.Session, url: str, soql: str) -> tuple[float, int]:
    """Return the milliseconds from sending the query to the last byte of its first page, and its size."""
    started = time.perf_counter()
    response = http.get(url, params={"q": soql}, timeout=60)
    body = response.content
    elapsed_ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"query failed with HTTP {response.status_code}: {body[:500]!r}\nSOQL: {soql}")
    return elapsed_ms, len(json.loads(body)["records"])


def time_small_call(http: requests.Session, instance_url: str, runs: int) -> list[float]:
    """Time GET limits/, a call with a small response, to show the fixed cost of one REST call."""
    url = f"{instance_url}/services/data/v{API_VERSION}/limits/"
    http.get(url, timeout=30).raise_for_status()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = http.get(url, timeout=30)
        response.raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


# Report --------------------------------------------------------------------------------


def machine_description() -> str:
    """Describe the machine: CPU model, core count, Python and SQLite versions, date."""
    cpu_model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.partition(":")[2].strip()
            break
    return (
        f"{cpu_model}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {time.strftime('%Y-%m-%d')}"
    )


def main(argv: list[str] | None = None) -> int:
    """Build or reuse the org, time each query case, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"folder of the benchmark org, reused when complete (default {DEFAULT_DATA_DIR})")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query after one warm-up (default 15)")
    parser.add_argument("--rebuild", action="store_true", help="delete and rebuild the org's data first")
    parser.add_argument("--build-only", action="store_true", help="build the org, then exit without timing queries")
    arguments = parser.parse_args(argv)

    # Build the org unless a complete one is already there.
    data_dir = arguments.data_dir.resolve()
    if arguments.rebuild and (data_dir / "org.sqlite3").exists():
        for name in ("org.sqlite3", "org.sqlite3-wal", "org.sqlite3-shm"):
            (data_dir / name).unlink(missing_ok=True)
    if request_count(data_dir) != REQUEST_COUNT:
        existing = request_count(data_dir)
        if existing:
            raise SystemExit(
                f"{data_dir} contains an org with {existing} contract requests instead of {REQUEST_COUNT}; "
                "pass --rebuild or another --data-dir",
            )
        build_org(data_dir)
    if arguments.build_only:
        return 0
    cases = query_cases(data_dir)

    # Time each query over HTTPS against the emulator in its own process.
    server, credentials = start_server(data_dir)
    try:
        with requests.Session() as http:
            http.verify = credentials["ca_file"]
            http.trust_env = False
            http.headers["Authorization"] = f"Bearer {access_token(http, credentials)}"
            url = f"{credentials['instance_url']}/services/data/v{API_VERSION}/query/"
            memory_before = memory_kib(server.pid)

            print(machine_description())
            print(f"{REQUEST_COUNT} Contract_Request__c rows; {arguments.runs} runs per query after 1 warm-up")
            print(f"{'query':<72} {'records':>7} {'min ms':>8} {'median':>8} {'max ms':>8}")
            limits_timings = time_small_call(http, credentials["instance_url"], arguments.runs)
            print(
                f"{'baseline: GET limits/ (no query, about 300 bytes)':<72} {'-':>7} {min(limits_timings):>8.1f} "
                f"{statistics.median(limits_timings):>8.1f} {max(limits_timings):>8.1f}",
            )
            for case in cases:
                time_first_page(http, url, case.soql)
                timings = []
                for _ in range(arguments.runs):
                    elapsed_ms, records = time_first_page(http, url, case.soql)
                    timings.append(elapsed_ms)
                print(
                    f"{case.label:<72} {records:>7} {min(timings):>8.1f} "
                    f"{statistics.median(timings):>8.1f} {max(timings):>8.1f}",
                )

            memory_after = memory_kib(server.pid)
            print(
                f"server memory: {memory_before['VmRSS'] / 1024:.0f} MiB resident before the queries, "
                f"{memory_after['VmRSS'] / 1024:.0f} MiB after, peak {memory_after['VmHWM'] / 1024:.0f} MiB",
            )
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
