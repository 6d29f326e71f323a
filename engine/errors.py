"""Domain errors. Each says what was wrong, where, and what to do about it.

The API maps them to HTTP statuses in one handler (`api/errors.py`) and the CLI to exit
codes and messages in one place (`cli/app.py`); nothing else catches them by type. The
messages speak of the engine's own terms; the API adds what to do over HTTP.
"""

from __future__ import annotations

import re


class IndsatsError(Exception):
    """Base class; `message` is safe to show to a user or a client."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PageFormatError(IndsatsError):
    """A text is not an initiative page in the published format."""

    status = 422
    code = "invalid_page"

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class InvalidInputError(IndsatsError):
    """A request or CLI argument is out of range or malformed."""

    status = 422
    code = "invalid_input"


class UnknownValueError(InvalidInputError):
    """A request names something the corpus does not have (a municipality, a target group,
    a practice id); `field` names the parameter, `known` the values it could have been."""

    code = "unknown_value"

    def __init__(self, message: str, field: str = "", known: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.field = field
        self.known = known


class UnknownPracticeError(UnknownValueError):
    """A request names practice ids the catalogue does not have."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="answers")


class NotFoundError(IndsatsError):
    status = 404
    code = "not_found"


class ConflictError(IndsatsError):
    """A page with that id exists already; `initiative_id` names it."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, initiative_id: str = "") -> None:
        super().__init__(message)
        self.initiative_id = initiative_id


class AuthRequiredError(IndsatsError):
    status = 401
    code = "auth_required"


class ForbiddenError(IndsatsError):
    status = 403
    code = "forbidden"


class PayloadTooLargeError(IndsatsError):
    status = 413
    code = "payload_too_large"


class IndexUnavailableError(IndsatsError):
    """The index is missing, stale or unreadable and could not be (re)built."""

    status = 503
    code = "index_unavailable"


class ModelLoadError(IndsatsError):
    """The embedding model could not be loaded from the configured path or name."""

    status = 503
    code = "model_unavailable"


class CalibrationMismatchError(ModelLoadError):
    """The `match` fit was made under another model or other ranking weights than the ones
    configured, so its probabilities and its "no good match" threshold would not hold."""


class UnsupportedMediaTypeError(IndsatsError):
    """A page body in a format we do not read (only text/plain pages and JSON records)."""

    status = 415
    code = "unsupported_media_type"


class StorageFullError(IndsatsError):
    """The disk under the data directory is full; the write was undone, nothing changed."""

    status = 507
    code = "insufficient_storage"


class StorageError(IndsatsError):
    """The data directory could not be written for another reason (read-only, I/O error)."""

    status = 503
    code = "storage_unavailable"


class TooManyRequestsError(IndsatsError):
    """A client has used its share of the work for now; `retry_after` says when to ask again
    (seconds)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailableError(IndsatsError):
    """The engine is still loading, or failed to load and tries again; the message says
    which, `retry_after` when to ask again (seconds)."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# An absolute path, written the way messages and OSErrors quote one; group 1 is its last part.
_ABSOLUTE_PATH = re.compile(r"(?<![\w/.~-])/(?:[^\s/'\"():;,]+/)*([^\s/'\"():;,]+)")


def without_paths(text: str) -> str:
    """`text` with every absolute path cut to its last part ('/srv/x/data/lock' -> 'lock'):
    what a client reads (/readyz, a 503) names the file without telling where the server
    keeps it."""
    return _ABSOLUTE_PATH.sub(r"\1", text)
