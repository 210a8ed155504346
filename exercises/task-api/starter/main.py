"""Task API: a small FastAPI service that keeps tasks in SQLite.

Run it with ``uvicorn main:app --host 0.0.0.0 --port 8000``. Configuration comes
from TASK_API_* environment variables (see settings.py and .env.example).
"""

import hmac
import logging
import sqlite3
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator, Optional

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from database import TaskStore, check_ready
from logging_setup import request_id_var, setup_logging
from settings import Settings

logger = logging.getLogger("task_api")


class TaskCreate(BaseModel):
    """The body of POST /tasks."""

    title: str = Field(min_length=1, max_length=200)
    done: bool = False


class Task(BaseModel):
    """A stored task."""

    id: int
    title: str
    done: bool
    created_at: str


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # Name the variables and the problem, but never echo the values: one of
        # them could be a secret.
        problems = "; ".join(
            f"TASK_API_{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors()
        )
        logger.critical("invalid configuration: %s; fix the environment and start again", problems)
        raise SystemExit(1) from None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database before the first request and close it after the last."""
    store: TaskStore = app.state.store
    try:
        store.open()
    except sqlite3.Error as exc:
        # uvicorn exits after this ("Application startup failed"): better than
        # a process that looks alive but fails every request.
        logger.error(
            "cannot open database %s: %s; make its directory writable for this user "
            "or set TASK_API_DATABASE_PATH",
            store.path,
            exc,
        )
        raise
    logger.info("database opened at %s", store.path)
    try:
        yield
    finally:
        # uvicorn gets here after SIGTERM, once in-flight requests have finished.
        logger.info("shutting down")
        store.close()
        logger.info("database closed, shutdown complete")


def require_token(request: Request) -> None:
    """Reject write requests without the configured bearer token (if one is set)."""
    token = request.app.state.settings.api_token
    # An empty value (TASK_API_API_TOKEN=) means "no token", not "the empty token".
    if token is None or not token.get_secret_value():
        return
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode(), expected):
        raise HTTPException(
            status_code=401,
            detail="missing or wrong bearer token; send Authorization: Bearer <TASK_API_API_TOKEN>",
            headers={"WWW-Authenticate": "Bearer"},
        )


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    """Build the application; tests pass their own settings."""
    setup_logging()
    if settings is None:
        settings = _load_settings()
    logging.getLogger().setLevel(settings.log_level)

    app = FastAPI(title="Task API", version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.store = TaskStore(settings.database_path)

    @app.middleware("http")
    async def add_request_id(request: Request, call_next):
        # Reuse the caller's id (from a proxy or another service) so traces line up.
        request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        request_id_var.set(request_id)
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        return response

    @app.get("/health")
    def health() -> dict:
        """Liveness: the process serves requests. No database access on purpose,
        so a database outage never gets a healthy process restarted."""
        return {"status": "ok"}

    @app.get("/readiness")
    def readiness() -> JSONResponse:
        """Readiness: 200 when the database is usable, 503 when it is not."""
        try:
            check_ready(settings.database_path)
        except sqlite3.Error as exc:
            logger.warning("not ready: database %s: %s", settings.database_path, exc)
            # Probes read the status code, not the body: "not ready" must be non-2xx.
            return JSONResponse(status_code=503, content={"ready": False, "error": str(exc)})
        return JSONResponse(content={"ready": True})

    @app.get("/tasks", response_model=list[Task])
    def list_tasks(request: Request) -> list:
        return request.app.state.store.list_tasks()

    @app.post(
        "/tasks",
        response_model=Task,
        status_code=201,
        dependencies=[Depends(require_token)],
    )
    def create_task(payload: TaskCreate, request: Request, response: Response) -> dict:
        task = request.app.state.store.create_task(payload.title, payload.done)
        response.headers["Location"] = f"/tasks/{task['id']}"
        logger.info("task %d created", task["id"])
        return task

    @app.get("/tasks/{task_id}", response_model=Task)
    def get_task(task_id: int, request: Request) -> dict:
        task = request.app.state.store.get_task(task_id)
        if task is None:
            raise HTTPException(status_code=404, detail=f"task {task_id} not found")
        return task

    @app.delete("/tasks/{task_id}", status_code=204, dependencies=[Depends(require_token)])
    def delete_task(task_id: int, request: Request) -> Response:
        if not request.app.state.store.delete_task(task_id):
            raise HTTPException(status_code=404, detail=f"task {task_id} not found")
        logger.info("task %d deleted", task_id)
        return Response(status_code=204)

    return app


# The object uvicorn serves: "uvicorn main:app". Building it at import time also
# replaces uvicorn's text log handlers before uvicorn logs its first line.
app = create_app()
