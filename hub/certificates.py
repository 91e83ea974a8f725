"""R31: the service certificate (服务证书) as anyone may check it by its number — the volunteer's name, the
province they served and the years served, nothing more. The number is issued on completion (the county
office's completeService)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub import models as m


@dataclass(frozen=True)
class CertificateFacts:
    number: str
    name: str
    province_code: str
    years_served: int
    completed_on: date


async def check(session: AsyncSession, number: str) -> CertificateFacts | None:
    """What the certificate `number` shows, or None when no completed volunteer holds it; the province is the
    one of most terms."""
    volunteer = (
        await session.execute(select(m.Volunteer).where(m.Volunteer.certificate_number == number))
    ).scalar_one_or_none()
    if volunteer is None or volunteer.completed_on is None:
        return None
    row = (
        await session.execute(
            select(m.Application.serving_province_code, func.count(m.ServiceAgreement.id))
            .join(m.ServiceAgreement, m.ServiceAgreement.application_id == m.Application.id)
            .where(
                m.Application.volunteer_id == volunteer.id,
                m.Application.serving_province_code.is_not(None),
            )
            .group_by(m.Application.serving_province_code)
            .order_by(func.count(m.ServiceAgreement.id).desc())
        )
    ).first()
    if row is None:
        return None
    province, terms = row
    return CertificateFacts(number, volunteer.name, province, terms, volunteer.completed_on)
