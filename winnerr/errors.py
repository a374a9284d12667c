"""Domain exceptions and the contract's error codes they stand for.

Resolvers raise these; the schema turns them into GraphQL errors in one place
(`winnerr.schema.extensions.ErrorCodes`), and the HTTP layer into JSON bodies. Nothing else builds an
error by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE_RECORD = "DUPLICATE_RECORD"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    PROVIDER_ERROR = "PROVIDER_ERROR"


class DomainError(Exception):
    """An expected failure whose message is safe to show to the client."""

    code: ErrorCode = ErrorCode.INTERNAL_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code.value}


class Unauthenticated(DomainError):
    code = ErrorCode.UNAUTHENTICATED

    def __init__(self, message: str = "Unauthorized") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    code = ErrorCode.PERMISSION_DENIED

    def __init__(self, message: str = "You do not have permission to do this") -> None:
        super().__init__(message)


class NotFound(DomainError):
    """Raised alike for an unknown id and for a row of another organization."""

    code = ErrorCode.NOT_FOUND

    def __init__(self, entity: str) -> None:
        super().__init__(f"{entity} not found")


class DuplicateRecord(DomainError):
    code = ErrorCode.DUPLICATE_RECORD


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


class ProviderError(DomainError):
    """A provider (Twilio, Nylas) refused or failed a request, or did not answer in time; nothing was recorded."""

    code = ErrorCode.PROVIDER_ERROR


class RateLimited(DomainError):
    code = ErrorCode.RATE_LIMITED

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many requests")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Issue:
    """One invalid input: the path of the field (e.g. `["input", "email"]`) and what is wrong with it."""

    path: list[str | int]
    message: str


class ValidationFailed(DomainError):
    code = ErrorCode.VALIDATION_ERROR

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("Invalid input: " + "; ".join(f"{_dotted(i.path)}: {i.message}" for i in issues))
        self.issues = issues

    @property
    def extensions(self) -> dict[str, Any]:
        issues = [{"path": issue.path, "message": issue.message} for issue in self.issues]
        return {**super().extensions, "issues": issues}


def _dotted(path: list[str | int]) -> str:
    return ".".join(str(part) for part in path) or "input"


def internal_error_message(request_id: str) -> str:
    return f"Internal server error (request id {request_id})"
