"""Domain errors and the exit codes they map to (0 ok, 1 operation failed, 2 bad usage)."""

from __future__ import annotations

from dataclasses import dataclass


class RreviewError(Exception):
    """An error the user can act on: printed as one line, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(RreviewError):
    """Bad usage or configuration (missing log, bad option value): exit code 2."""

    exit_code = 2


class OperationError(RreviewError):
    """The operation itself failed (network, SMTP, store): exit code 1."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, reported as a one-line warning and skipped."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"
