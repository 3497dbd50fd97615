"""The error hierarchy. Each error carries its HTTP status; the API maps them in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as _date
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


def shown(value: str, most: int = 60) -> str:
    """A value quoted for a message, cut to `most` characters."""
    return repr(value if len(value) <= most else value[:most - 3] + "...")


class InvalidValue(MigkgError):
    """A parameter's value that is refused: out of the allowed set (an enum filter, a facet,
    a sort key, a format: `allowed` lists the set) or not of the form asked for (a date:
    `example` shows one). Always 422, always naming the `parameter`."""

    status, title, slug = 422, "Invalid value", "invalid-value"

    def __init__(self, parameter: str, value: str, allowed: list[str] | None = None,
                 detail: str | None = None, **extra: Any) -> None:
        if detail is None:
            detail = (f"{parameter}: {shown(value)} is not one of {', '.join(allowed)}"
                      if allowed else f"{parameter}: {shown(value)} is not allowed")
        if allowed is not None:
            extra["allowed"] = allowed
        super().__init__(detail, parameter=parameter, value=value, **extra)


DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
DATE_EXAMPLE = "2025-10-02"


def check_date(parameter: str, value: str) -> str:
    """`value` when it is a date of the calendar as YYYY, YYYY-MM or YYYY-MM-DD (the
    precisions the facts use), else InvalidValue naming the forms with an example."""
    parts = value.split("-")
    ok = (1 <= len(parts) <= 3 and len(parts[0]) == 4
          and all(p.isascii() and p.isdigit() for p in parts)
          and all(len(p) == 2 for p in parts[1:]))
    if ok:
        try:
            _date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                  int(parts[2]) if len(parts) > 2 else 1)
        except ValueError:
            ok = False
    if not ok:
        raise InvalidValue(parameter, value, detail=f"{parameter}: {shown(value)} is not a date; "
                           f"write {DATE_FORMS}, e.g. {DATE_EXAMPLE}", example=DATE_EXAMPLE)
    return value


class OtherKind(NotFound):
    """An id that names an entity of another kind than the route's: says which, and `see`
    links the entity where it is."""

    title, slug = "Entity of another kind", "other-kind"


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
