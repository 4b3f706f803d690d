"""The API documentation renders in a real browser with no network: headless Chromium loads
Swagger UI and ReDoc from the running server, every other host unresolvable, and the rendered
page must show the registry's operations."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import httpx
import pytest

OPERATIONS = (
    "get_individual_individual___id__get",
    "search_individuals_individual_get",
    "create_individual_individual_post",
    "get_individual_ids_get_individual_ids_get",
    "update_individual_update_individual_put",
    "get_group_group___id__get",
    "search_groups_group_get",
    "create_group_group_post",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("G2P_REQUIRE_BROWSER") == "1":
        pytest.fail("G2P_REQUIRE_BROWSER=1 but no chromium is installed (apt-get install chromium)")
    pytest.skip("chromium is not installed")


@pytest.fixture
def docs_server(backend, request):
    if backend != "sqlite":
        pytest.skip("the documentation does not depend on the database backend")
    return request.getfixturevalue("registry")


def _rendered_dom(chromium: str, url: str, profile) -> str:
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        # Only the server is reachable: a page that needs a CDN cannot render.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--virtual-time-budget=20000",
        "--dump-dom",
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_swagger_ui_renders_every_operation(chromium, docs_server, tmp_path):
    dom = _rendered_dom(chromium, f"{docs_server.api_url}/docs", tmp_path / "profile")
    assert "Unable to render this definition" not in dom
    for operation in OPERATIONS:
        assert re.search(rf'id="operations-(individual|group)-{operation}"', dom), operation


def test_swagger_ui_is_version_5_or_later(docs_server):
    # Swagger UI 4 cannot render OpenAPI 3.1, which FastAPI emits.
    page = httpx.get(f"{docs_server.api_url}/docs", timeout=30).text
    [script] = re.findall(r'<script src="([^"]+swagger-ui-bundle\.js)"', page)
    assert not script.startswith("http"), script
    bundle = httpx.get(f"{docs_server.base_url}{script}", timeout=30).text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"', bundle)
    assert version is not None
    assert int(version.group(1)) >= 5


def test_redoc_renders_every_operation(chromium, docs_server, tmp_path):
    dom = _rendered_dom(chromium, f"{docs_server.api_url}/redoc", tmp_path / "profile")
    for operation in OPERATIONS:
        assert f"operation/{operation}" in dom, operation


def test_docs_pages_reference_no_other_host(docs_server):
    for path in ("/docs", "/redoc"):
        page = httpx.get(f"{docs_server.api_url}{path}", timeout=30).text
        assert not re.search(r'(src|href)="https?://', page), path
