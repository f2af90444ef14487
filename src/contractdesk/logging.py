"""Structured logging: fixed message text, data as fields, request ids bound."""

import logging
import re
import sys
import uuid

import structlog


def configure_logging(log_format: str, level: str) -> None:
    """Route stdlib and structlog output through one structlog renderer.

    ``log_format`` is ``json`` for production or ``console`` for readable lines.
    """
    renderer = (
        structlog.processors.JSONRenderer() if log_format == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # Request lines from the development server repeat what the middleware logs.
    logging.getLogger("django.server").setLevel(logging.WARNING)
    # Huey's consumer adds a handler of its own unless its logger has one, and
    # every worker line would then be printed twice.
    huey_logger = logging.getLogger("huey")
    huey_logger.handlers = [handler]
    huey_logger.propagate = False


# A client-supplied request id is kept only if it cannot forge log content.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdMiddleware:
    """Bind a request id (from X-Request-ID or a new one) to every log line of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")
        if not _REQUEST_ID.fullmatch(request_id):
            request_id = uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            structlog.contextvars.clear_contextvars()
        response["X-Request-ID"] = request_id
        return response
