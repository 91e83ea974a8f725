"""A small second subgraph written for the federation test: training materials per province.

It extends the hub's `Province` entity (key `code`) with a `trainingMaterials` field, as a provincial
training centre's own service would."""

from __future__ import annotations

import strawberry
from strawberry.asgi import GraphQL

MATERIALS = {
    "62": ["甘肃省西部计划志愿者岗前培训手册", "乡村教育教学指南"],
    "53": ["云南省志愿者安全手册"],
}


@strawberry.federation.type(keys=["code"])
class Province:
    code: str

    @strawberry.field
    def training_materials(self) -> list[str]:
        return MATERIALS.get(self.code, [])

    @classmethod
    def resolve_reference(cls, code: str) -> Province:
        return cls(code=code)


@strawberry.type
class Query:
    @strawberry.field
    def material_count(self) -> int:
        return sum(len(v) for v in MATERIALS.values())


schema = strawberry.federation.Schema(query=Query, types=[Province], federation_version="2.7")
app = GraphQL(schema)
