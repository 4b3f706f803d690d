"""Swagger UI 5 and ReDoc served from files installed with the server (the `fastapi-offline`
package ships them), so that the documentation renders with no network access."""

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

STATIC_PATH = "/static/docs"


def _assets_directory() -> str:
    return str(files("fastapi_offline") / "static")


def add_offline_docs(app: FastAPI, *, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Docs routes are plain Starlette routes: public, and absent from the OpenAPI document."""
    app.mount(STATIC_PATH, StaticFiles(directory=_assets_directory()), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_PATH}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{STATIC_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{STATIC_PATH}/favicon.png",
            with_google_fonts=False,
        )

    app.add_route(docs_url, swagger_ui, methods=["GET"], include_in_schema=False)
    app.add_route(redoc_url, redoc, methods=["GET"], include_in_schema=False)
