"""SQLite storage for the Task API (standard library sqlite3 only)."""

import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT    NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL
)
"""


def _row_to_task(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "done": bool(row["done"]),
        "created_at": row["created_at"],
    }


class TaskStore:
    """Tasks in one SQLite file, shared by all requests through one connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn: Optional[sqlite3.Connection] = None
        # FastAPI runs plain "def" endpoints in a thread pool; one lock keeps their
        # statements on the shared connection from interleaving inside a transaction.
        self._lock = threading.Lock()

    def open(self) -> None:
        """Open the database and create the schema; raises sqlite3.Error on failure.

        The directory is not created here: an unwritable or missing directory is a
        deployment mistake that should stop the app at startup, loudly.
        """
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=5)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(SCHEMA)
            conn.commit()
        except sqlite3.Error:
            conn.close()
            raise
        self._conn = conn

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("the task database is not open")
        return self._conn

    def list_tasks(self) -> list[dict[str, Any]]:
        """Return every task, oldest first."""
        with self._lock:
            rows = self._db().execute("SELECT * FROM tasks ORDER BY id").fetchall()
        return [_row_to_task(r) for r in rows]

    def get_task(self, task_id: int) -> Optional[dict[str, Any]]:
        """Return one task, or None when there is no task with that id."""
        with self._lock:
            row = self._db().execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        return _row_to_task(row) if row is not None else None

    def create_task(self, title: str, done: bool = False) -> dict[str, Any]:
        """Insert a task and return it with its id."""
        created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            conn = self._db()
            with conn:  # commits, or rolls back on an exception
                cur = conn.execute(
                    "INSERT INTO tasks (title, done, created_at) VALUES (?, ?, ?)",
                    (title, int(done), created_at),
                )
            task_id = cur.lastrowid
        return {"id": task_id, "title": title, "done": done, "created_at": created_at}

    def delete_task(self, task_id: int) -> bool:
        """Delete a task; False when there was none with that id."""
        with self._lock:
            conn = self._db()
            with conn:
                cur = conn.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
        return cur.rowcount > 0


def check_ready(path: Path) -> None:
    """Raise sqlite3.Error unless the database can be read and written right now.

    A fresh connection, not the shared one, so the check sees what a new request
    would see: mode=rw fails on a missing file instead of creating an empty one,
    and BEGIN IMMEDIATE fails when the file or its lock cannot be written.
    """
    uri = Path(path).absolute().as_uri() + "?mode=rw"
    with closing(sqlite3.connect(uri, uri=True, timeout=1)) as conn:
        conn.execute("SELECT 1 FROM tasks LIMIT 1")
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
