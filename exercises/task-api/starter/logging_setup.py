"""JSON logging for the Task API: one JSON object per line on stdout."""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import datetime, timezone

# The id of the request being handled; "-" outside a request. Each request runs in
# its own asyncio task with its own copy of the context, so ids never mix.
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class JSONFormatter(logging.Formatter):
    """Render each log record as one JSON object on a single line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            # Aware UTC time, so the output ends in +00:00 and nobody guesses the zone.
            # (datetime.utcnow() is deprecated since Python 3.12 and has no zone.)
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        if record.exc_info:
            # json.dumps escapes the newlines: a traceback stays one record.
            entry["exception"] = self.formatException(record.exc_info)
        # default=str keeps one odd value (a Path, a UUID) from breaking the line.
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(level: str = "INFO") -> None:
    """Send every log record, uvicorn's included, to stdout as JSON."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JSONFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn configures its loggers with text handlers before it imports the app;
    # clearing them lets their records reach the JSON handler on the root logger.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
