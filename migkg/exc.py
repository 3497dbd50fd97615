"""The error hierarchy. Each error carries its HTTP status; the API maps them in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class MigkgError(Exception):
    """Base error: a title, an HTTP status and extra members for the problem body."""

    status = 500
    title = "Internal error"
    slug = "internal"

    def __init__(self, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


class NotFound(MigkgError):
    status, title, slug = 404, "Not found", "not-found"


class Ambiguous(MigkgError):
    status, title, slug = 409, "Ambiguous reference", "ambiguous"


class BadRequest(MigkgError):
    status, title, slug = 400, "Bad request", "bad-request"


class QueryRejected(BadRequest):
    """A query that the engine refused: syntax error, write attempt, bad parameters."""

    title, slug = "Query rejected", "query-rejected"


class InvalidValue(MigkgError):
    """A value outside the allowed set (an enum filter, a facet name): lists what is allowed."""

    status, title, slug = 422, "Invalid value", "invalid-value"

    def __init__(self, parameter: str, value: str, allowed: list[str]) -> None:
        shown = value if len(value) <= 60 else value[:57] + "..."
        super().__init__(f"{parameter}: {shown!r} is not one of {', '.join(allowed)}",
                         parameter=parameter, value=value, allowed=allowed)


class QueryTimeout(MigkgError):
    status, title, slug = 504, "Query timed out", "query-timeout"


class AnswerTooLarge(MigkgError):
    """An ad-hoc answer over its budget of bytes, values or nesting (graph/budget.py)."""

    status, title, slug = 422, "Answer too large", "answer-too-large"


class TooBusy(MigkgError):
    """Too many requests of a bounded kind are running; try again shortly."""

    status, title, slug = 429, "Too many requests", "too-busy"


class NotAcceptable(MigkgError):
    status, title, slug = 406, "Not acceptable", "not-acceptable"


class BackendUnavailable(MigkgError):
    """The engine is not answering (restarting, loading its snapshot): worth a retry soon."""

    status, title, slug = 503, "Graph backend unavailable", "backend-unavailable"
    RETRY_AFTER = "2"  # seconds: about what a supervised engine takes to come back

    def __init__(self, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail, {"Retry-After": self.RETRY_AFTER, **(headers or {})}, **extra)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in the curated facts, located by file, line and field."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class InvalidFacts(MigkgError):
    """The curated facts are invalid; carries every problem found."""

    status, title, slug = 422, "Invalid facts", "invalid-facts"

    def __init__(self, problems: list[Problem], note: str = "") -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the curated facts{note}")
