"""The API docs: `/openapi.json` and Swagger UI at `/docs`, behind the same authentication as `/api`.

Swagger UI's bundle and stylesheet are served by the app itself from the built front end
(`swagger-ui/` beside the dashboard, copied from the npm package swagger-ui-dist at build), not a
CDN, and its start-up is a script of this app rather than inline: the page keeps the strict CSP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from sectorlights.api.auth import current_user

ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SectorLights API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""

_START = """window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
});
"""

# Swagger UI sets style attributes on the elements it builds; scripts stay 'self' only.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def docs_router(static_dir: Path) -> APIRouter:
    router = APIRouter(include_in_schema=False, dependencies=[Depends(current_user)])

    @router.get("/openapi.json")
    async def get_openapi_document(request: Request) -> JSONResponse:
        app: FastAPI = request.app
        document: dict[str, Any] = app.openapi()
        return JSONResponse(document)

    @router.get("/docs")
    async def get_docs() -> HTMLResponse:
        return HTMLResponse(_PAGE, headers={"Content-Security-Policy": DOCS_CSP})

    @router.get("/docs/start.js")
    async def get_docs_start() -> Response:
        return Response(_START, media_type="text/javascript")

    @router.get("/docs/assets/{name}")
    async def get_docs_asset(name: str) -> FileResponse:
        path = static_dir / "swagger-ui" / name
        if name not in ASSETS or not path.is_file():
            raise HTTPException(404, f"{name}: no such docs asset (is the front end built? `make build`)")
        return FileResponse(path, media_type=ASSETS[name])

    return router
