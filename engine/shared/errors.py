"""Domain errors. Each says what was wrong, where, and what to do about it.

Each carries a stable `code` and a message that is safe to show; none knows about HTTP. The
API maps the codes to statuses in one place (`api/problems.py`) and the CLI to exit codes
and messages in one place (`cli/app.py`); nothing else catches them by type. The messages
speak of the engine's own terms; the API adds what to do over HTTP.
"""

from __future__ import annotations

import re


class IndsatsError(Exception):
    """Base class; `message` is safe to show to a user or a client."""

    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PageFormatError(IndsatsError):
    """A text is not an initiative page in the published format."""

    code = "invalid_page"

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class InvalidInputError(IndsatsError):
    """A request or CLI argument is out of range or malformed; `field` names the input by
    the engine's name for it (`text`, `situation`, `k`, `municipality`, ...) when there is
    one."""

    code = "invalid_input"

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class UnknownValueError(InvalidInputError):
    """A request names something the corpus does not have (a municipality, a target group,
    a practice id); `field` names the parameter, `known` the values it could have been."""

    code = "unknown_value"

    def __init__(self, message: str, field: str = "", known: tuple[str, ...] = ()) -> None:
        super().__init__(message, field)
        self.known = known


class UnknownPracticeError(UnknownValueError):
    """A request names practice ids the catalogue does not have."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="answers")


class NotFoundError(IndsatsError):
    code = "not_found"


class ConflictError(IndsatsError):
    """A page with that id exists already; `initiative_id` names it."""

    code = "conflict"

    def __init__(self, message: str, initiative_id: str = "") -> None:
        super().__init__(message)
        self.initiative_id = initiative_id


class PreconditionFailedError(IndsatsError):
    """A write was made on a condition about the page as it is (it is still the version the
    writer read), and the page has changed since; nothing was written."""

    code = "precondition_failed"


class PayloadTooLargeError(IndsatsError):
    """A request asks for more work than one call may (a batch's characters in all)."""

    code = "payload_too_large"


class IndexUnavailableError(IndsatsError):
    """The index is missing, stale or unreadable and could not be (re)built."""

    code = "index_unavailable"


class ModelLoadError(IndsatsError):
    """The embedding model could not be loaded from the configured path or name."""

    code = "model_unavailable"


class CalibrationMismatchError(ModelLoadError):
    """The `match` fit was made under another model or other ranking weights than the ones
    configured, so its probabilities and its "no good match" threshold would not hold."""


class StorageFullError(IndsatsError):
    """The disk under the data directory is full; the write was undone, nothing changed."""

    code = "insufficient_storage"


class StorageError(IndsatsError):
    """The data directory could not be written for another reason (read-only, I/O error)."""

    code = "storage_unavailable"


# An absolute path, written the way messages and OSErrors quote one; group 1 is its last part.
_ABSOLUTE_PATH = re.compile(r"(?<![\w/.~-])/(?:[^\s/'\"():;,]+/)*([^\s/'\"():;,]+)")


def without_paths(text: str) -> str:
    """`text` with every absolute path cut to its last part ('/srv/x/data/lock' -> 'lock'):
    what a client reads (/readyz, a 503) names the file without telling where the server
    keeps it."""
    return _ABSOLUTE_PATH.sub(r"\1", text)
