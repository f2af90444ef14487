"""Run the emulator's HTTPS server with uvicorn."""

import ipaddress
import socket

import uvicorn

from .org import Org
from .rest.app import build_app


def base_url_for(host: str, port: int) -> str:
    """Return the https URL clients use for a host and port (IPv6 hosts in brackets)."""
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass
    return f"https://{host}:{port}"


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind a listening TCP socket; port 0 picks a free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP must be explicit: asyncio sets TCP_NODELAY on accepted
    # connections only when the listening socket names it, and without
    # TCP_NODELAY each small response waits about 40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def make_server(org: Org, base_url: str, log_level: str = "warning") -> uvicorn.Server:
    """Build a uvicorn server for org that serves TLS with the org's server certificate."""
    config = uvicorn.Config(
        build_app(org, base_url),
        ssl_certfile=str(org.tls.server_cert),
        ssl_keyfile=str(org.tls.server_key),
        log_level=log_level,
        access_log=log_level == "debug",
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)
