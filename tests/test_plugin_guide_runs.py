"""docs/plugins.md cannot drift from the code: its `python` blocks run, in order, as one module (a whole
plugin, registered beside the installed ones exactly as the guide's section 5 says), and the guide's GraphQL
requests are answered as printed; its `python from <path>` excerpts are found in their files; its
`python no-run` blocks compile and their imports resolve."""

from __future__ import annotations

import ast
import importlib
import json
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.app import create_app
from hub.plugins import installed_plugins
from hub.settings import Settings
from tests.conftest import Client
from tests.seed import seed_reference

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)``` *$", re.M | re.S)
_KEEP: list[types.ModuleType] = []  # the schema cache is keyed by plugin ids: keep each run's plugins alive


@dataclass(frozen=True)
class Block:
    info: str
    text: str
    line: int

    def __str__(self) -> str:
        return f"docs/plugins.md:{self.line} ({self.info})"


def blocks(kind: str | None = None) -> list[Block]:
    text = GUIDE.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        indent = len(match["indent"])
        body = "\n".join(line[indent:] for line in match["body"].split("\n"))
        found.append(Block(match["info"].strip(), body, text.count("\n", 0, match.start()) + 1))
    return [b for b in found if kind is None or b.info.split()[:1] == [kind]]


def python_blocks(mode: str) -> list[Block]:
    """`run` (fenced `python`), `excerpt` (`python from <path>`) or `no-run`."""
    out = []
    for block in blocks("python"):
        words = block.info.split()
        found = "run" if len(words) == 1 else "excerpt" if words[1] == "from" else words[1]
        if found == mode:
            out.append(block)
    return out


def test_the_guide_has_runnable_excerpted_and_requested_blocks() -> None:
    assert len(python_blocks("run")) >= 4
    assert len(python_blocks("excerpt")) >= 5
    assert len(requests()) >= 4
    unknown = [str(b) for b in blocks("python") if b.info.split()[1:2] not in ([], ["from"], ["no-run"])]
    assert not unknown, f"python blocks of no known kind: {unknown}"


@pytest.mark.parametrize("block", python_blocks("excerpt"), ids=str)
def test_an_excerpt_is_found_in_its_file(block: Block) -> None:
    path = ROOT / block.info.split(maxsplit=2)[2]
    source = [line.rstrip() for line in path.read_text(encoding="utf-8").split("\n")]
    excerpt = [line.rstrip() for line in block.text.rstrip("\n").split("\n")]
    starts = [i for i in range(len(source) - len(excerpt) + 1) if source[i : i + len(excerpt)] == excerpt]
    assert starts, f"{block}: these lines are not together in {path.relative_to(ROOT)}:\n{block.text}"


@pytest.mark.parametrize("block", python_blocks("no-run"), ids=str)
def test_a_no_run_block_compiles_and_its_imports_resolve(block: Block) -> None:
    tree = ast.parse(block.text, filename=str(block))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(f"{node.module}.{alias.name}"), (
                    f"{block}: {node.module} has no {alias.name}"
                )


@dataclass(frozen=True)
class Request:
    block: Block
    actor: dict[str, str]
    document: str
    variables: dict[str, Any]
    answer: Any


def requests() -> list[Request]:
    """Each `graphql` block with an `# as: <level> <code>` line, and the `json` block after it."""
    every = blocks()
    out = []
    for index, block in enumerate(every):
        if block.info != "graphql" or "# as:" not in block.text:
            continue
        lines = block.text.split("\n")
        level, *code = next(line for line in lines if line.startswith("# as:")).split(":", 1)[1].split()
        start = next((i for i, line in enumerate(lines) if line.startswith("# variables:")), None)
        variables = {}
        if start is not None:
            tail = [lines[start].split(":", 1)[1]] + [line.lstrip("#") for line in lines[start + 1 :]]
            variables = json.loads(" ".join(tail))
        document = "\n".join(line for line in lines if not line.startswith("#"))
        answer = every[index + 1]
        assert answer.info == "json", f"{block}: no json answer follows"
        actor = {"level": level, "sub": f"guide-{level}-{''.join(code)}"} | ({"code": code[0]} if code else {})
        out.append(Request(block, actor, document, variables, json.loads(answer.text)))
    return out


def contains(actual: Any, shown: Any) -> bool:
    """Whether `actual` has everything the guide shows (the guide may leave keys out, e.g. locations)."""
    if isinstance(shown, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in shown.items())
    if isinstance(shown, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(shown)
            and all(contains(a, s) for a, s in zip(actual, shown, strict=True))
        )
    return actual == shown


def run_the_guide(settings: Settings) -> dict[str, Any]:
    """Every runnable block, in order, in one fresh module; the namespace afterwards."""
    module = types.ModuleType(f"plugin_guide_{len(_KEEP)}")
    module.settings = settings  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module  # strawberry resolves annotations in the resolver's module
    _KEEP.append(module)
    for block in python_blocks("run"):
        exec(compile(block.text, str(block), "exec"), module.__dict__)  # noqa: S102 - the guide's own code
    return module.__dict__


async def test_the_guide_runs_and_answers_as_printed(settings: Settings) -> None:
    guide = run_the_guide(settings)
    hub = guide["hub"]
    try:
        await seed_reference(hub)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://hub"
        ) as http:
            client = Client(http, hub)
            for request in requests():
                if "RuralDoctor" in request.document and "gansu_rural_doctors" not in installed_plugins():
                    continue  # the walk-through's package is installed in CI (.ci/run)
                body = await client.gql(request.document, request.variables, **request.actor)
                assert contains(body, request.answer), (
                    f"{request.block} answered {json.dumps(body, ensure_ascii=False)}"
                )
        flagged = await client.sql("SELECT operation FROM audit_entries WHERE operation = 'flagCountyForVisit'")
        assert len(flagged) == 1  # the refusals wrote nothing
        assert guide["supervision"].flagged == ["Q291bnR5OjYyMTEyMQ=="]  # County:621121, heard after commit
        census = guide["census"].counted
        plugin_rules = [r for rules in hub.permissions.rules.values() for r in rules if r.source != "core"]
        assert census and census[0] == len(plugin_rules)
    finally:
        await hub.dispose()
