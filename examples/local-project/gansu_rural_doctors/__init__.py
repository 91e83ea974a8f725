"""Gansu's rural-doctor scheme (甘肃乡村医生计划): a provincial local project (R41) as a xibu-hub plugin.

It adds its own table (with its own alembic branch), its own GraphQL type, a field on the core `County`
type, one mutation, and one permission rule: only the provincial office of Gansu (62) may call it."""

from __future__ import annotations

from pathlib import Path

from gansu_rural_doctors.models import RuralDoctorPlacement
from gansu_rural_doctors.schema import CountyRuralDoctors, RuralDoctor, RuralDoctorMutation, RuralDoctorPayload
from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.hookspecs import hookimpl
from hub.i18n import N_
from hub.permissions import Rule, Target
from hub.plugins import PluginInfo, plugin_info

GANSU = "62"


def gansu_office(actor: Actor, target: Target) -> bool:
    """Only Gansu's provincial office, and only for its own counties."""
    return actor.code == GANSU and target.get("province") == GANSU


@hookimpl
def hub_plugin_info() -> PluginInfo:
    return plugin_info("gansu_rural_doctors", OfficeLevel.PROVINCIAL, "xibu-gansu-rural-doctors")


@hookimpl
def hub_tables() -> list[type]:
    return [RuralDoctorPlacement]


@hookimpl
def hub_migration_locations() -> list[str]:
    return [str(Path(__file__).parent / "versions")]


@hookimpl
def hub_graphql_types() -> list[type]:
    return [RuralDoctor, RuralDoctorPayload]


@hookimpl
def hub_type_fields() -> list[tuple[str, type]]:
    return [("County", CountyRuralDoctors)]


@hookimpl
def hub_mutation_fields() -> list[type]:
    return [RuralDoctorMutation]


@hookimpl
def hub_permission_rules() -> list[Rule]:
    return [
        Rule(
            "registerRuralDoctor",
            OfficeLevel.PROVINCIAL,
            gansu_office,
            describes=N_("Gansu's own counties, by the provincial office of Gansu (62)"),
        )
    ]
