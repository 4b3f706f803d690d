"""Static checks of the Odoo addon, for where Odoo cannot run (CI): packaging, syntax, OCA lint.

Its behaviour is tested inside a real Odoo by the addon's own tests (g2p_bank_rest_api/tests/).
"""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from xml.etree import ElementTree

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "g2p_bank_rest_api"
BIN = Path(sys.executable).parent


def manifest() -> dict:
    return ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))


def addon_files(pattern: str) -> list[Path]:
    return sorted(path for path in ADDON.rglob(pattern) if "__pycache__" not in path.parts)


def test_manifest_declares_a_drop_in_replacement_of_upstream():
    data = manifest()
    assert data["name"] == "G2P Registry: Bank Details Rest API"
    assert re.fullmatch(r"17\.0\.\d+\.\d+\.\d+", data["version"])
    assert set(data["depends"]) == {"g2p_registry_rest_api", "g2p_bank"}
    assert data["license"] == "LGPL-3"
    assert data.get("installable", True)
    assert "schwifty" in data["external_dependencies"]["python"]


def test_manifest_names_only_existing_files():
    data = manifest()
    listed = [*data.get("data", []), *data.get("demo", []), *data.get("images", [])]
    missing = [name for name in listed if not (ADDON / name).is_file()]
    assert not missing


def test_every_data_file_is_loaded_and_checked():
    """The XML and CSV files Odoo loads are exactly the manifest's data: none forgotten, and the
    well-formedness checks below run over real files (a check over no file proves nothing)."""
    on_disk = {str(path.relative_to(ADDON)) for path in [*addon_files("*.xml"), *addon_files("*.csv")]}
    assert on_disk and on_disk == set(manifest()["data"])


@pytest.mark.parametrize("path", addon_files("*.py"), ids=lambda path: str(path.relative_to(ADDON)))
def test_python_compiles(path: Path):
    compile(path.read_text(encoding="utf-8"), str(path), "exec")


@pytest.mark.parametrize("path", addon_files("*.xml"), ids=lambda path: str(path.relative_to(ADDON)))
def test_xml_is_well_formed(path: Path):
    ElementTree.parse(path)  # noqa: S314 - our own files


def test_translation_template_is_well_formed():
    template = polib.pofile(str(ADDON / "i18n" / "g2p_bank_rest_api.pot"))
    assert template.metadata.get("Content-Type", "").startswith("text/plain")
    result = subprocess.run(  # noqa: S603
        [BIN / "oca-checks-po", str(ADDON / "i18n" / "g2p_bank_rest_api.pot")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_oca_packaging_files_are_present():
    build = tomllib.loads((ADDON / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    assert build["build-backend"] == "whool.buildapi"
    for name in ("DESCRIPTION.md", "USAGE.md", "CONTRIBUTORS.md", "HISTORY.md"):
        assert (ADDON / "readme" / name).is_file(), name
    assert (ADDON / "static" / "description" / "icon.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert (ADDON / "static" / "description" / "index.html").is_file()


def test_pylint_odoo_mandatory_checks_pass():
    result = subprocess.run(  # noqa: S603
        [BIN / "pylint", f"--rcfile={ROOT / '.pylintrc-mandatory'}", str(ADDON)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_oca_module_checks_pass():
    result = subprocess.run(  # noqa: S603
        [BIN / "oca-checks-odoo-module", str(ADDON)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shared_rules_import_without_odoo():
    """The standalone server imports the addon's rules; they must never need Odoo."""
    for path in (ADDON / "rules").glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+odoo\b", path.read_text(encoding="utf-8"), re.M), path
    result = subprocess.run(
        [sys.executable, "-c", "import sys, g2p_bank_server.rules; assert 'odoo' not in sys.modules"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
