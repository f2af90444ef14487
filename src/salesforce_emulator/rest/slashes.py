"""Collapse repeated slashes in request paths before routing.

The Salesforce CLI stores an instance URL with a trailing slash (`sf org login
access-token` keeps `https://host/`) and joins `/services/data` to it, so it requests
`//services/data`. The CLI works this way against real orgs, so Salesforce serves such
paths, and the emulator does too.
"""

import re

from starlette.types import ASGIApp, Receive, Scope, Send

_REPEATED_SLASHES = re.compile(r"/{2,}")
_REPEATED_SLASH_BYTES = re.compile(rb"/{2,}")


class CollapseSlashes:
    """ASGI middleware that rewrites `//a///b` to `/a/b` in the request path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "//" in scope["path"]:
            scope = {**scope, "path": _REPEATED_SLASHES.sub("/", scope["path"])}
            if scope.get("raw_path"):
                scope["raw_path"] = _REPEATED_SLASH_BYTES.sub(b"/", scope["raw_path"])
        await self.app(scope, receive, send)
