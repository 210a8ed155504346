"""Tests of the Task API through FastAPI's TestClient (needs httpx)."""

import json
import logging
import sqlite3
import sys

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from logging_setup import JSONFormatter
from main import create_app
from settings import Settings


@pytest.fixture
def settings(tmp_path):
    return Settings(database_path=tmp_path / "tasks.db")


@pytest.fixture
def client(settings):
    # "with" runs the lifespan: the database is opened before and closed after.
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_health_answers_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["X-Request-ID"]


def test_request_id_is_taken_from_the_caller(client):
    response = client.get("/health", headers={"X-Request-ID": "abc123"})
    assert response.headers["X-Request-ID"] == "abc123"


def test_readiness_is_200_with_a_usable_database(client):
    response = client.get("/readiness")
    assert response.status_code == 200
    assert response.json() == {"ready": True}


def test_readiness_is_503_when_the_database_is_gone(client, settings):
    settings.database_path.unlink()
    response = client.get("/readiness")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["error"]


def test_task_crud(client):
    assert client.get("/tasks").json() == []

    created = client.post("/tasks", json={"title": "write tests"})
    assert created.status_code == 201
    task = created.json()
    assert task["title"] == "write tests"
    assert task["done"] is False
    assert created.headers["Location"] == f"/tasks/{task['id']}"

    assert client.get(f"/tasks/{task['id']}").json() == task
    assert client.get("/tasks").json() == [task]

    assert client.delete(f"/tasks/{task['id']}").status_code == 204
    assert client.get(f"/tasks/{task['id']}").status_code == 404
    assert client.delete(f"/tasks/{task['id']}").status_code == 404


def test_empty_title_is_rejected(client):
    assert client.post("/tasks", json={"title": ""}).status_code == 422


def test_writes_need_the_token_when_one_is_set(tmp_path):
    settings = Settings(database_path=tmp_path / "tasks.db", api_token="s3cret")
    with TestClient(create_app(settings)) as client:
        assert client.post("/tasks", json={"title": "x"}).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert client.post("/tasks", json={"title": "x"}, headers=wrong).status_code == 401
        right = {"Authorization": "Bearer s3cret"}
        assert client.post("/tasks", json={"title": "x"}, headers=right).status_code == 201
        # Reading stays open.
        assert client.get("/tasks").status_code == 200


def test_startup_fails_when_the_database_cannot_be_opened(tmp_path):
    settings = Settings(database_path=tmp_path / "missing-dir" / "tasks.db")
    with pytest.raises(sqlite3.OperationalError):
        with TestClient(create_app(settings)):
            pass


def test_settings_come_from_prefixed_variables(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env from the project directory
    monkeypatch.setenv("TASK_API_DATABASE_PATH", "/data/tasks.db")
    monkeypatch.setenv("TASK_API_LOG_LEVEL", "DEBUG")
    loaded = Settings()
    assert str(loaded.database_path) == "/data/tasks.db"
    assert loaded.log_level == "DEBUG"
    assert loaded.api_token is None


def test_an_invalid_log_level_is_rejected(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TASK_API_LOG_LEVEL", "LOUD")
    with pytest.raises(ValidationError):
        Settings()


def test_log_records_are_single_line_json():
    formatter = JSONFormatter()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "task_api", logging.ERROR, __file__, 1, "failed: %s", ("x\ny",), sys.exc_info()
        )
    line = formatter.format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "task_api"
    assert entry["message"] == "failed: x\ny"
    assert entry["request_id"] == "-"
    assert entry["time"].endswith("+00:00")
    assert "RuntimeError: boom" in entry["exception"]


def test_an_empty_token_means_no_token(tmp_path):
    settings = Settings(database_path=tmp_path / "tasks.db", api_token="")
    with TestClient(create_app(settings)) as client:
        assert client.post("/tasks", json={"title": "x"}).status_code == 201
