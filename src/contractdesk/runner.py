"""``contractdesk run``: start everything on embedded defaults for a first look.

It starts the local Salesforce emulator and installs the repository's package
in it through the Metadata API, as an administrator would. Then it prepares the
database, seeds the org with sample data and submitted requests, and runs the
web server, a Huey worker and the SalesConnect poller until Ctrl-C. All state
lives in the data folder.
"""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

DEMO_USERS = [
    # (username, role, display name)
    ("admin", "administrator", "Ada Admin"),
    ("manager", "contract_manager", "Morgan Manager"),
    ("viewer", "viewer", "Vic Viewer"),
]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="contractdesk run", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("CONTRACTDESK_PORT", "8000")), help="web port")
    parser.add_argument(
        "--emulator-port", type=int, default=int(os.environ.get("EMULATOR_PORT", "8443")), help="emulator HTTPS port"
    )
    args = parser.parse_args(argv)

    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    emulator_dir = data_dir / "emulator"
    _require_free_ports(args.port, args.emulator_port)
    children: list[Child] = []

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        # The emulator first: the seeding step and the workers need its credentials.
        emulator = Child("Salesforce emulator", _emulator_command(emulator_dir, args.emulator_port), os.environ.copy())
        children.append(emulator)
        org = _wait_for_emulator(emulator_dir, emulator.process)
        env = _salesforce_env(org, emulator_dir, args.port)
        os.environ.update(env)

        _manage("migrate", "--noinput", env=env)
        _manage("collectstatic", "--noinput", env=env)
        passwords = _ensure_demo_users(data_dir)
        # Deployed on every run: a deploy is idempotent (unchanged components stay as
        # they are), and it brings changes made to salesforce/ since the last run.
        _manage("deploy_salesforce_package", env=env)
        _manage("seed_demo_org", env=env)

        # --flush-locks: a worker that was killed mid-sync leaves its task lock
        # behind, and no sync could run until it is cleared. NOTE: with several
        # worker machines on one Redis, a starting worker would also clear a lock
        # that a running worker elsewhere has taken. A production deployment starts
        # its workers without this option.
        cli = [sys.executable, "-m", "contractdesk.cli"]
        children.append(Child("Huey worker", [*cli, "run_huey", "--flush-locks"], env))
        children.append(Child("SalesConnect poller", [*cli, "salesconnect_poll"], env))
        children.append(Child("web server", _gunicorn_command(args.port), env))
        _print_welcome(args.port, org, emulator_dir, passwords)

        return _supervise(children)
    except KeyboardInterrupt:
        return 0
    finally:
        for child in reversed(children):
            child.stop()


class Child:
    """A process that ``run`` starts, watches and starts again if it stops."""

    # A process that stops this many times within RESTART_WINDOW is given up on.
    MAX_RESTARTS = 5
    RESTART_WINDOW = 60.0

    def __init__(self, name: str, command: list[str], env: dict[str, str]):
        self.name = name
        self.command = command
        self.env = env
        self.restarts: list[float] = []
        self.process = subprocess.Popen(command, env=env)

    def restart_if_stopped(self) -> bool:
        """Start the process again if it stopped; return False when it stops too often."""
        if self.process.poll() is None:
            return True

        now = time.monotonic()
        self.restarts = [moment for moment in self.restarts if now - moment < self.RESTART_WINDOW]
        if len(self.restarts) >= self.MAX_RESTARTS:
            print(f"The {self.name} keeps stopping (exit code {self.process.returncode}); giving up.", file=sys.stderr)
            return False
        print(f"The {self.name} stopped (exit code {self.process.returncode}); starting it again.", file=sys.stderr)
        self.restarts.append(now)
        time.sleep(1)
        self.process = subprocess.Popen(self.command, env=self.env)
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _supervise(children: list[Child]) -> int:
    """Keep every child running until Ctrl-C; one that keeps failing stops the whole run."""
    while True:
        time.sleep(1)
        if not all(child.restart_if_stopped() for child in children):
            return 1


def _require_free_ports(*ports: int) -> None:
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(
                    f"Port {port} on 127.0.0.1 is already in use, perhaps by another contractdesk run. "
                    "Stop it, or choose other ports with CONTRACTDESK_PORT and EMULATOR_PORT."
                )


def _gunicorn_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "contractdesk.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--access-logfile",
        "-",
    ]


def _emulator_command(emulator_dir: Path, port: int) -> list[str]:
    # No --package-dir: the org gets the package from deploy_salesforce_package, and
    # keeps what was deployed across restarts.
    return [
        sys.executable,
        "-m",
        "salesforce_emulator",
        "serve",
        "--data-dir",
        str(emulator_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def _wait_for_emulator(emulator_dir: Path, process: subprocess.Popen) -> dict:
    credentials_file = emulator_dir / "credentials.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"The Salesforce emulator stopped with exit code {process.returncode}; see its output above."
            )
        if credentials_file.exists():
            org = json.loads(credentials_file.read_text())
            try:
                requests.get(f"{org['instance_url']}/services/data/", verify=str(emulator_dir / "ca.pem"), timeout=2)
            except requests.RequestException:
                pass
            else:
                return org
        time.sleep(0.3)
    raise SystemExit("The Salesforce emulator did not start within 60 seconds.")


def _salesforce_env(org: dict, emulator_dir: Path, port: int) -> dict[str, str]:
    return {
        # Readable log lines for a person watching the terminal; production uses JSON.
        "CONTRACTDESK_LOG_FORMAT": "console",
        **os.environ,
        "SALESFORCE_LOGIN_URL": org["login_url"],
        "SALESFORCE_AUTH_FLOW": "client_credentials",
        "SALESFORCE_CLIENT_ID": org["client_id"],
        "SALESFORCE_CLIENT_SECRET": org["client_secret"],
        "SALESFORCE_CA_BUNDLE": str(emulator_dir / "ca.pem"),
        "CONTRACTDESK_SITE_URL": f"http://127.0.0.1:{port}",
    }


def _manage(*command: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "contractdesk.cli", *command], env=env, check=True)


def _ensure_demo_users(data_dir: Path) -> dict[str, str]:
    """Create the demo users once, with random passwords kept in a file only the owner can read.

    NOTE: the passwords of these demo accounts are kept in plain text in
    data/demo-users.json so that every run can print them. They are for a
    local first look; a real installation creates its users with
    ``contractdesk createsuperuser`` or the admin site instead.
    """
    import django

    django.setup()
    from contractdesk.accounts.models import User

    password_file = data_dir / "demo-users.json"
    passwords = json.loads(password_file.read_text()) if password_file.exists() else {}
    for username, role, display_name in DEMO_USERS:
        if User.objects.filter(username=username).exists() and username in passwords:
            continue
        first, last = display_name.split(" ", 1)
        password = secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(username=username, defaults={"role": role})
        user.role, user.first_name, user.last_name = role, first, last
        user.is_staff = user.is_superuser = role == "administrator"
        user.set_password(password)
        user.save()
        passwords[username] = password

    password_file.touch(mode=0o600)
    password_file.write_text(json.dumps(passwords, indent=2))
    return passwords


def _print_welcome(port: int, org: dict, emulator_dir: Path, passwords: dict[str, str]) -> None:
    users = "\n".join(
        f"    {username:<8} {passwords[username]:<20} {role.replace('_', ' ')}" for username, role, _ in DEMO_USERS
    )
    ca_file = emulator_dir / "ca.pem"
    print(
        f"""
contractdesk is running.

  Web:  http://127.0.0.1:{port}/
  Users (kept in {emulator_dir.parent / "demo-users.json"}):
{users}

  Salesforce emulator (local development org): {org["instance_url"]}
    CA certificate: {ca_file}
    client_id:      {org["client_id"]}
    client_secret:  {org["client_secret"]}
  Query the contract requests, for example:
    TOKEN=$(curl -s --cacert {ca_file} {org["login_url"]}/services/oauth2/token \\
      -d grant_type=client_credentials -d client_id={org["client_id"]} -d client_secret={org["client_secret"]} \\
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -s --cacert {ca_file} -H "Authorization: Bearer $TOKEN" \\
      "{org["instance_url"]}/services/data/v62.0/query?q=SELECT+Name,Status__c,Contract_Number__c,Decision_Notes__c+FROM+Contract_Request__c"

Press Ctrl-C to stop.
""",
        flush=True,
    )
