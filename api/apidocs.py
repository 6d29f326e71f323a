"""`/docs`: Swagger UI for the API, from vendored files only.

FastAPI's own `/docs` page loads Swagger UI from a public CDN and starts it with an inline
script; offline it is blank, and the page's Content-Security-Policy (`api/web.py`) would
block both. Here the page is a fixed shell, the bundle and its CSS are the pinned copy in
`api/vendor/swagger-ui/` (`scripts/vendor-swagger-ui.sh`, sha256 sums beside them) and
the start-up script is a file of ours, all served from this host under the same CSP.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.web import SECURITY_HEADERS

VENDOR = Path(__file__).resolve().parent / "vendor"
ASSETS_URL = "/docs/assets"

_PAGE = f"""<!DOCTYPE html>
<html lang="da">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <title>Indsatsfinder API – dokumentation</title>
  <link rel="stylesheet" href="{ASSETS_URL}/swagger-ui/swagger-ui.css">
</head>
<body>
  <noscript>Dokumentationen kræver JavaScript. Skemaet kan hentes som
    <a href="/openapi.json">/openapi.json</a>.</noscript>
  <main id="swagger-ui"></main>
  <script src="{ASSETS_URL}/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="{ASSETS_URL}/docs/docs.js"></script>
</body>
</html>
"""


def mount_docs(app: FastAPI) -> None:
    """`/docs` and its assets; the app is built with FastAPI's own docs switched off."""

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return HTMLResponse(_PAGE, headers=SECURITY_HEADERS)

    app.mount(ASSETS_URL, StaticFiles(directory=str(VENDOR)), name="docs-assets")
