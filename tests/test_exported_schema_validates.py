"""`hub schema export` writes an SDL that stands alone: graphql-core builds a schema from it, and the
ecosystem's graphql-inspector (npm, `npm ci --prefix tests/graphql_tools`) loads it and finds no breaking
change against the front-end contract (../shared/contract/hub.graphql)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import build_schema

from hub.cli import main
from tests.test_contract import contract_path

TOOLS = Path(__file__).resolve().parent / "graphql_tools"
EXPORT = Path(__file__).resolve().parent.parent / "schema" / "hub.graphql"
REQUIRED = os.environ.get("CI") == "true"


@pytest.fixture
def exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HUB_PLUGINS", "national,provincial,county,school")
    path = tmp_path / "hub.graphql"
    main(["schema", "export", "-o", str(path)])
    return path


def _inspector() -> str:
    binary = TOOLS / "node_modules" / ".bin" / "graphql-inspector"
    if shutil.which("node") is None or not binary.exists():
        message = "node and `npm ci --prefix tests/graphql_tools` are needed for graphql-inspector"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return str(binary)


def test_export_defines_the_federation_directives_it_uses(exported: Path) -> None:
    text = exported.read_text(encoding="utf-8")
    assert text == EXPORT.read_text(encoding="utf-8")  # the checked-in file is this export
    assert "directive @link(" in text and "directive @key(" in text
    schema = build_schema(text)  # raises on an undefined directive or type
    assert schema.get_directive("key") is not None and schema.get_type("Province") is not None


def test_graphql_inspector_loads_it_and_finds_nothing_breaking(exported: Path, tmp_path: Path) -> None:
    inspector = _inspector()
    loaded = subprocess.run(
        [inspector, "introspect", str(exported), "--write", str(tmp_path / "introspection.json")],
        cwd=TOOLS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    diff = subprocess.run(
        [inspector, "diff", str(contract_path()), str(exported)], cwd=TOOLS, capture_output=True, text=True, timeout=120
    )
    output = diff.stdout + diff.stderr
    breaking = [line for line in output.splitlines() if "✖" in line]
    print(f"graphql-inspector diff against the contract: {len(breaking)} breaking")
    assert diff.returncode == 0 and breaking == [], output
    assert "No breaking changes detected" in output
