"""An import calls its batch mutation's resolver (perform and the rule) with input objects it builds itself
(hub/exchange/batches.py) rather than through a GraphQL document: the objects are those strawberry would
build, what GraphQL would refuse before the resolver is refused too, and a mutation whose input cannot be
converted so still imports through a document. Audit and userErrors are as before."""

from __future__ import annotations

import json

import pytest

from hub.enums import PostCategory
from hub.exchange import imports
from hub.exchange.batches import Uncoercible, batch_mutation
from hub.exchange.tables import TABLES
from tests.conftest import Client
from tests.exchange import NATIONAL_OFFICE, where, xlsx
from tests.seed import seed_reference

SCHOOLS = [["学校代码", "学校名称", "所在省份代码"], ["10730", "兰州大学", "62"], ["10731", "兰州理工大学", "62"]]


def test_every_import_kind_is_converted_as_strawberry_would(client: Client) -> None:
    schema = client.hub.schema
    for table in TABLES.values():
        assert batch_mutation(schema, table.mutation) is not None, table.mutation
    posts = batch_mutation(schema, "declarePosts")
    assert posts is not None
    row = {"year": "2027-2028", "unitId": "U2VydmljZVVuaXQ6MQ==", "title": "数学教师", "category": "RURAL_EDUCATION"}
    built = posts.convert({"posts": [{**row, "headcount": 2}]})
    assert built.posts[0].category is PostCategory.RURAL_EDUCATION and built.posts[0].headcount == 2
    assert built.posts[0].unit_id == row["unitId"]
    with pytest.raises(Uncoercible) as beyond:
        posts.convert({"posts": [{**row, "headcount": 2}, {**row, "headcount": 2**31}]})
    assert beyond.value.path == ("input", "posts", "1", "headcount")  # GraphQL's Int is 32 bits
    with pytest.raises(Uncoercible) as missing:
        posts.convert({"posts": [{"year": "2027-2028"}]})
    assert missing.value.path[:3] == ("input", "posts", "0")
    with pytest.raises(Uncoercible):
        posts.convert({"posts": [{**row, "headcount": 2, "category": "NO_SUCH_CATEGORY"}]})


async def test_an_import_through_the_resolver_writes_and_audits_as_before(client: Client) -> None:
    await seed_reference(client.hub)
    report = await imports.import_file(client.hub, NATIONAL_OFFICE, "schools", xlsx(SCHOOLS), "s.xlsx")
    assert report.ok and report.written == 2, report.problems
    audited = await client.sql("SELECT operation, target_ids FROM audit_entries")
    targets = [(operation, json.loads(ids) if isinstance(ids, str) else ids) for operation, ids in audited]
    assert [(operation, len(ids)) for operation, ids in targets] == [("upsertSchools", 2)]  # SQLite: JSON text
    doubled = xlsx([SCHOOLS[0], ["10740", "甲大学", "62"], ["10740", "乙大学", "62"]])
    refused = await imports.import_file(client.hub, NATIONAL_OFFICE, "schools", doubled, "s.xlsx")
    assert refused.written == 0 and where(refused) and all(line == 3 for line, _c, _code in where(refused))


async def test_a_mutation_the_converter_does_not_know_is_imported_through_a_document(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_reference(client.hub)
    monkeypatch.setattr(imports, "batch_mutation", lambda schema, name: None)
    report = await imports.import_file(client.hub, NATIONAL_OFFICE, "schools", xlsx(SCHOOLS), "s.xlsx")
    assert report.ok and report.written == 2, report.problems
    assert sorted(r[0] for r in await client.sql("SELECT code FROM schools WHERE code LIKE '1073_'")) == [
        "10730",
        "10731",
    ]
