"""The consultants' web page: `/`, `/indsats/{id}` and the assets under `/static/`.

The page is a plain client of the public JSON API (`/v1/search`, `/v1/recommend`,
`/v1/initiatives`, `/v1/practices`): the server only renders the page shell with the form
filled in from the URL, and small ES modules in `static/js/` call the API and build the
results with DOM methods (`textContent`, never `innerHTML`), so text from pages can never
become markup. There is no front-end build step.

The server does answer two questions itself, because a browser and a crawler read them from
the status line before any script runs: whether `/indsats/{id}` exists (404 otherwise), and
what an unknown address is (an HTML page for a browser, the API's JSON error for everyone
else).

Design system: the compiled CSS, fonts and icons of Det Fælles Designsystem (npm `dkfds`,
MIT/OFL/Apache-2.0) are vendored under `static/dkfds/` by `scripts/vendor-dkfds.sh`, so a
clean clone serves the page with no npm and no network.
"""

from __future__ import annotations

import inspect
import logging
import math
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from engine.shared.errors import IndsatsError, NotFoundError
from engine.shared.settings import Settings

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_URL = "/static"

# Strict by default: the page loads only its own scripts, styles and fonts. Script-built
# style changes (`element.style.width`) are CSSOM and not affected by `style-src`.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# The filter offers whole and half points on the 0-5 scale of the tests.
EVIDENCE_STEPS = tuple(x / 2 for x in range(1, 10))
FORM_FIELDS = ("q", "target_group", "municipality", "min_evidence", "own_municipality", "answers")
# Addresses that belong to machines: an unknown one there is answered in JSON even when a
# browser asks.
MACHINE_PREFIXES = ("/v1/", "/static/", "/docs", "/openapi.json", "/metrics", "/healthz", "/readyz")


def mount_web(app: FastAPI, settings: Settings) -> None:
    """Add the page routes and the static assets to `app` (from `create_app`; idempotent)."""
    if getattr(app.state, "web_mounted", False):
        return
    app.state.web_mounted = True
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

    def render(
        request: Request, name: str, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        context = {"static_url": STATIC_URL, "max_chars": settings.max_query_chars, **context}
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers.update(SECURITY_HEADERS)
        return response

    @router.api_route("/", methods=["GET", "HEAD"])
    def search_page(request: Request) -> HTMLResponse:
        form = read_form(request.query_params)
        return render(
            request,
            "index.html",
            {"form": form, "evidence_options": evidence_options(form["min_evidence"])},
        )

    @router.api_route("/indsats/{initiative_id}", methods=["GET", "HEAD"])
    def initiative_page(request: Request, initiative_id: str) -> HTMLResponse:
        title = initiative_title(request, initiative_id)
        if title == "":
            return render(
                request,
                "not_found.html",
                {"kind": "initiative", "path": request.url.path, "initiative_id": initiative_id},
                status=404,
            )
        return render(request, "initiative.html", {"initiative_id": initiative_id, "title": title})

    async def not_found(request: Request, exc: Exception) -> Response:
        """Browsers get a Danish page with a way back; API clients keep the JSON error."""
        if wants_html(request):
            return render(request, "not_found.html", {"path": request.url.path}, status=404)
        fallback = app.exception_handlers.get(HTTPException)
        if fallback is not None:
            answer = fallback(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        message = f"Ukendt adresse: {request.method} {request.url.path}"
        return JSONResponse({"error": {"code": "not_found", "message": message}}, 404)

    app.add_exception_handler(404, not_found)
    app.include_router(router)
    app.mount(STATIC_URL, StaticFiles(directory=str(STATIC_DIR)), name="static")


def wants_html(request: Request) -> bool:
    """A browser navigating to a page address (not an API or asset address)."""
    path = request.url.path
    if any(path == p.rstrip("/") or path.startswith(p) for p in MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def initiative_title(request: Request, initiative_id: str) -> str | None:
    """The initiative's title; `""` when it does not exist; None when the engine is not
    loaded yet (the page then asks the API itself and says what it finds)."""
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return None
    try:
        engine.refresh()
        return str(engine.initiative(initiative_id).title)
    except NotFoundError:
        return ""
    except IndsatsError:
        return ""  # a malformed id names no initiative either


def read_form(params: Any) -> dict[str, str]:
    """The form's values from the URL, trimmed; a malformed score selects no option.

    The shell only pre-fills the form. The page's script reads the same URL, says in Danish
    what was wrong with a parameter and what it did instead, and the API validates again.
    The text is kept whole, also when it is too long, so the consultant can shorten it.
    """
    form = {name: str(params.get(name, "")).strip() for name in FORM_FIELDS}
    form["min_evidence"] = normalise_score(form["min_evidence"])
    return form


def normalise_score(raw: str) -> str:
    """`'2'`, `'2.0'` and `'2,0'` all select the option `'2'`; anything else is no filter."""
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return ""
    if not math.isfinite(value) or not 0 < value <= 5:
        return ""
    return score_value(value)


def score_value(value: float) -> str:
    return f"{round(value, 2):g}"


def score_label(value: float) -> str:
    """Danish decimal comma, one decimal unless the value needs two."""
    text = f"{value:.1f}" if round(value, 1) == round(value, 2) else f"{value:.2f}"
    return text.replace(".", ",")


def evidence_options(selected: str = "") -> list[tuple[str, str]]:
    """The score steps, plus a shared link's own value when it is not one of them."""
    steps = sorted({*EVIDENCE_STEPS, *([float(selected)] if selected else [])})
    return [("", "Ingen grænse")] + [(score_value(x), f"Mindst {score_label(x)}") for x in steps]
