#!/usr/bin/env bash
# Create or refresh the project's virtual environment in .venv.
# Safe to run again: it reinstalls only when pyproject.toml has changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium drives the browser tests; Playwright's own browser download
# cannot work on machines without internet access.
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "Chromium is missing; the browser tests will be skipped." >&2
        echo "Install it with: sudo apt-get install chromium" >&2
    fi
fi

python=${PYTHON:-python3.11}
if ! command -v "$python" >/dev/null 2>&1; then
    python=python3
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "contractdesk needs Python 3.11; $python is $("$python" --version 2>&1)." >&2
    echo "Install Python 3.11 or set PYTHON=/path/to/python3.11 and run again." >&2
    exit 1
fi

if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi

stamp=.venv/.installed-from
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e '.[dev]'
    echo "$wanted" > "$stamp"
fi

# The jsforce conformance suite (tests/conformance/jsforce) needs its npm packages.
# `npm ci` reinstalls them exactly from package-lock.json, so it runs only when the
# lock file has changed since the last install.
suite=tests/conformance/jsforce
if command -v npm >/dev/null 2>&1; then
    npm_stamp=$suite/node_modules/.installed-from
    npm_wanted=$(sha256sum "$suite/package-lock.json" | cut -d' ' -f1)
    if [ ! -f "$npm_stamp" ] || [ "$(cat "$npm_stamp")" != "$npm_wanted" ]; then
        (cd "$suite" && npm ci --no-audit --no-fund --loglevel=error)
        echo "$npm_wanted" > "$npm_stamp"
    fi
else
    echo "npm is missing; the jsforce conformance suite will be skipped (and fails in CI)." >&2
    echo "Install Node.js 20 or newer with npm, then run: make setup" >&2
fi
