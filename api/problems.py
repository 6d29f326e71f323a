"""Every kind of error the API answers with: its code, HTTP status and title, in one table.

The engine's errors carry a `code` and know nothing of HTTP; this table is the one place a
code becomes a status (issue 28), and the schema's per-operation documentation, the error
answers and `/problems/{code}` all read it. Errors only the HTTP layer can have (a missing
key, a body in an unknown format, a server still starting) are `ApiError`s with a code from
the same table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProblemType:
    status: int
    title: str  # short and Danish, the same for every answer of this code (RFC 9457)
    when: str  # when it is answered, for the schema and /problems/{code}


PROBLEMS: dict[str, ProblemType] = {
    "bad_request": ProblemType(
        400, "Ugyldig HTTP-forespørgsel", "HTTP'en kunne ikke læses (svaret før appen ser den)."
    ),
    "auth_required": ProblemType(
        401, "Nøgle mangler", "Skrivning uden X-API-Key (eller Authorization: Bearer)."
    ),
    "forbidden": ProblemType(
        403, "Ingen adgang", "Forkert nøgle, eller skrivning er slået fra på serveren."
    ),
    "not_found": ProblemType(404, "Findes ikke", "Id'et eller adressen findes ikke."),
    "method_not_allowed": ProblemType(
        405, "Metoden er ikke tilladt", "Adressen tager ikke den metode; `Allow` siger hvilke."
    ),
    "request_timeout": ProblemType(
        408,
        "Forespørgslen kom ikke frem i tide",
        "Forespørgslens hoved eller indhold kom ikke inden for INDSATS_READ_TIMEOUT sekunder; "
        "forbindelsen lukkes.",
    ),
    "conflict": ProblemType(
        409, "Findes allerede", "En indsats med sidens id findes allerede; brug PUT."
    ),
    "precondition_failed": ProblemType(
        412,
        "Indsatsen er ændret",
        "If-Match passer ikke til indsatsens nuværende ETag: den er ændret siden; hent den igen.",
    ),
    "payload_too_large": ProblemType(
        413, "For stort indhold", "Indholdet er større end INDSATS_MAX_BODY_BYTES (1 MiB)."
    ),
    "unsupported_media_type": ProblemType(
        415,
        "Ukendt indholdstype",
        "Indholdet er ikke i en type operationen læser (application/json; sider også text/plain).",
    ),
    "invalid_input": ProblemType(
        422,
        "Ugyldig forespørgsel",
        "En parameter eller et felt er ugyldigt; `errors` siger hvilke.",
    ),
    "unknown_value": ProblemType(
        422,
        "Ukendt værdi",
        "En kommune, målgruppe eller et praksis-id, som ingen side har; beskeden nævner de kendte.",
    ),
    "invalid_page": ProblemType(
        422,
        "Siden har ikke det offentliggjorte format",
        "Siden (tekst eller JSON-post) følger ikke formatet, eller dens id er ikke adressens.",
    ),
    "too_many_requests": ProblemType(
        429,
        "For mange forespørgsler",
        "Klienten har brugt sin andel af arbejdet for nu; prøv igen efter `Retry-After` sekunder.",
    ),
    "request_header_too_large": ProblemType(
        431,
        "For store headers",
        "Adresse og headers fylder over INDSATS_MAX_HEADER_BYTES (64 KiB); forbindelsen lukkes.",
    ),
    "internal_error": ProblemType(
        500, "Intern fejl", "En fejl i serveren; detaljerne står kun i serverens log."
    ),
    "unavailable": ProblemType(
        503, "Tjenesten er ikke klar", "Model og indeks indlæses stadig, eller kunne ikke indlæses."
    ),
    "index_unavailable": ProblemType(
        503, "Søgeindekset kan ikke bruges", "Indekset mangler eller kunne ikke bygges."
    ),
    "model_unavailable": ProblemType(
        503, "Modellen kan ikke indlæses", "Sprogmodellen kunne ikke indlæses."
    ),
    "storage_unavailable": ProblemType(
        503,
        "Data kan ikke gemmes",
        "Datamappen kunne ikke skrives (skrivebeskyttet, I/O-fejl); intet er ændret.",
    ),
    "insufficient_storage": ProblemType(
        507, "Disken er fuld", "Skrivningen er ikke gemt, intet er ændret; frigør plads."
    ),
}
GENERIC = ProblemType(400, "Fejl i forespørgslen", "")

# Seconds a client should wait before trying again, on every 503 (RFC 9110 Retry-After):
# a server that is starting is ready in seconds, the other causes need someone to act.
RETRY_AFTER = {"unavailable": 5}
RETRY_AFTER_OTHERWISE = 60
# The 401's challenge (RFC 9110 needs one): the key as a bearer token, or in X-API-Key.
CHALLENGE = 'Bearer realm="Indsatsfinder", APIKey header="X-API-Key"'


def problem_type(code: str) -> ProblemType:
    return PROBLEMS.get(code, GENERIC)


def type_uri(code: str) -> str:
    """The problem's `type`: a relative URI that `/problems/{code}` answers (RFC 9457 3.1.1)."""
    return f"/problems/{code}"


def status_of(code: str) -> int:
    return problem_type(code).status


def headers_for(code: str) -> dict[str, str]:
    """What RFC 9110 asks of some statuses: a challenge on 401, Retry-After on 503."""
    status = status_of(code)
    if status == 401:
        return {"WWW-Authenticate": CHALLENGE}
    if status == 503:
        return {"Retry-After": str(RETRY_AFTER.get(code, RETRY_AFTER_OTHERWISE))}
    return {}


def codes_for(status: int) -> list[str]:
    return [code for code, kind in PROBLEMS.items() if kind.status == status]


class ApiError(Exception):
    """An error only the HTTP layer can have; `code` is a key of `PROBLEMS`."""

    def __init__(self, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
