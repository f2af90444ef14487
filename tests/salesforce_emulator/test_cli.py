"""The command line starts a server, writes credentials.json and stops on SIGTERM."""

import json
import signal
import subprocess
import sys

import requests

from .conftest import FIXTURE_PACKAGE


def test_serve_until_sigterm(tmp_path):
    data_dir = tmp_path / "org"
    process = subprocess.Popen(  # noqa: S603 - our own module with fixed arguments
        [sys.executable, "-m", "salesforce_emulator", "serve", "--data-dir", str(data_dir),
         "--package-dir", str(FIXTURE_PACKAGE), "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        serving = process.stdout.readline().strip()
        credentials_line = process.stdout.readline().strip()
        credentials = json.loads((data_dir / "credentials.json").read_text())
        token = requests.post(f"{credentials['login_url']}/services/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        }, verify=credentials["ca_file"], timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(timeout=15)

    assert serving.startswith("Salesforce emulator serving https://127.0.0.1:")
    assert credentials_line == f"Credentials: {data_dir / 'credentials.json'}"
    assert credentials["instance_url"] == serving.rsplit(" ", 1)[1]
    assert set(credentials) >= {
        "login_url", "instance_url", "client_id", "client_secret", "username", "jwt_private_key_file",
    }
    assert (data_dir / "jwt-private-key.pem").stat().st_mode & 0o777 == 0o600
    assert token.status_code == 200
    assert exit_code == 0


def test_missing_package_is_reported(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own module with fixed arguments
        [sys.executable, "-m", "salesforce_emulator", "serve", "--data-dir", str(tmp_path / "org"),
         "--package-dir", str(tmp_path), "--port", "0"],
        capture_output=True, text=True, timeout=60, check=False,
    )

    assert result.returncode == 2
    assert "sfdx-project.json" in result.stderr
