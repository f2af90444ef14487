"""A 300 MB file goes up as multipart and comes back down while the server's memory stays bounded.

The emulator runs in a subprocess, so its peak resident memory (VmHWM in /proc) measures
the server alone. The test process streams the body from a generator and hashes the
download chunk by chunk.
"""

import hashlib
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

FILE_BYTES = 300 * 1024 * 1024
CHUNK = b"0123456789abcdef" * 65536  # 1 MiB
# Peak memory the upload and download may add to the server: a small fraction of the file.
MAX_GROWTH_BYTES = 64 * 1024 * 1024
BOUNDARY = "emulator-large-file-boundary"


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM line in /proc/{pid}/status")


def _multipart_body():
    entity = json.dumps({"Title": "Large", "PathOnClient": "large.bin"})
    yield (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"entity_content\"\r\n"
        f"Content-Type: application/json\r\n\r\n{entity}\r\n"
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"VersionData\"; filename=\"large.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    for _ in range(FILE_BYTES // len(CHUNK)):
        yield CHUNK
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def server(tmp_path):
    """An emulator started by its command line; yields (process, credentials)."""
    data_dir = tmp_path / "org"
    process = subprocess.Popen(  # noqa: S603 - our own module with fixed arguments
        [sys.executable, "-m", "salesforce_emulator", "serve", "--data-dir", str(data_dir),
         "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        process.stdout.readline()
        yield process, json.loads((data_dir / "credentials.json").read_text())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_300_mb_round_trip_in_bounded_memory(server):
    process, credentials = server
    http = requests.Session()
    token = http.post(f"{credentials['login_url']}/services/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
    }, verify=credentials["ca_file"], timeout=30).json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    base = f"{credentials['instance_url']}/services/data/v62.0"
    http.get(f"{base}/limits/", verify=credentials["ca_file"], timeout=30)
    baseline = _peak_rss(process.pid)

    created = http.post(
        f"{base}/sobjects/ContentVersion", data=_multipart_body(),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        verify=credentials["ca_file"], timeout=300,
    )
    after_upload = _peak_rss(process.pid)
    version_id = created.json()["id"]
    version = http.get(f"{base}/sobjects/ContentVersion/{version_id}", verify=credentials["ca_file"], timeout=30)

    digest = hashlib.md5(usedforsecurity=False)
    size = 0
    with http.get(
        f"{base}/sobjects/ContentVersion/{version_id}/VersionData", stream=True,
        verify=credentials["ca_file"], timeout=300,
    ) as download:
        for piece in download.iter_content(chunk_size=1024 * 1024):
            digest.update(piece)
            size += len(piece)
    after_download = _peak_rss(process.pid)
    http.close()

    expected = hashlib.md5(usedforsecurity=False)
    for _ in range(FILE_BYTES // len(CHUNK)):
        expected.update(CHUNK)
    assert created.status_code == 201, created.text
    assert version.json()["ContentSize"] == FILE_BYTES
    assert version.json()["Checksum"] == expected.hexdigest()
    assert size == FILE_BYTES
    assert digest.hexdigest() == expected.hexdigest()
    assert after_upload - baseline < MAX_GROWTH_BYTES
    assert after_download - baseline < MAX_GROWTH_BYTES
