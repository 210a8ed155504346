"""Settings of the Task API, read from the environment with pydantic-settings."""

from pathlib import Path
from typing import Literal, Optional

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Task API configuration.

    Each field is read from an environment variable named ``TASK_API_`` plus the
    field name, for example ``TASK_API_DATABASE_PATH``. Real environment variables
    win over a ``.env`` file in the working directory; a missing ``.env`` is fine.
    """

    model_config = SettingsConfigDict(
        env_prefix="TASK_API_",
        env_file=".env",
        env_file_encoding="utf-8",
        # Other entries in .env (for tools, not for us) must not stop the app.
        extra="ignore",
    )

    # Relative on purpose: it lands in the working directory, which is fine on a
    # laptop. In an image, point it at a volume: TASK_API_DATABASE_PATH=/data/tasks.db.
    database_path: Path = Path("tasks.db")

    # An unknown level fails at startup, not in the middle of a request.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # When set, POST and DELETE need "Authorization: Bearer <token>". A secret:
    # pass it at run time, never in the Dockerfile. SecretStr keeps it out of logs.
    api_token: Optional[SecretStr] = None
