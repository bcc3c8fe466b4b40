"""Demo accounts of 蓬安县: one per role, all with the same documented password.

They exist to try the roles out (docs/security.md lists them). Anyone who deploys xieshang for
real must not load the demo, or must disable these accounts.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.db.enums import Role
from xieshang.domain.accounts import NewUser, create_user

DEMO_PASSWORD = "xieshang-demo-2024"

#: username → role (and what it is linked to).
DEMO_ACCOUNTS: dict[str, Role] = {
    "admin": Role.ADMIN,
    "staff": Role.STAFF,
    "member": Role.MEMBER,
    "auditor": Role.AUDITOR,
    "unit": Role.UNIT,
    "city": Role.CITY_VIEWER,
}


async def create_demo_accounts(session: AsyncSession, county_id: int, water_unit_id: int) -> None:
    """The six demo accounts for the county (the member account is the first studio's lead)."""
    lead = await session.scalar(
        sa.select(m.Studio.lead_member_id)
        .where(m.Studio.county_id == county_id)
        .order_by(m.Studio.id)
        .limit(1)
    )
    for username, role in DEMO_ACCOUNTS.items():
        await create_user(
            session,
            NewUser(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                county_id=county_id,
                member_id=lead if role is Role.MEMBER else None,
                unit_id=water_unit_id if role is Role.UNIT else None,
                granted=(county_id,) if role is Role.CITY_VIEWER else (),
                display_name=f"演示{role.label.split()[0]}",
            ),
        )


async def delete_demo_accounts(session: AsyncSession, county_id: int) -> None:
    """Remove the accounts of a county that is about to be rebuilt (``demo load --replace``)."""
    users = sa.select(m.User.id).where(
        sa.or_(m.User.county_id == county_id, m.User.username.in_(list(DEMO_ACCOUNTS)))
    )
    await session.execute(sa.delete(m.UserCountyGrant).where(m.UserCountyGrant.user_id.in_(users)))
    await session.execute(sa.delete(m.RefreshToken).where(m.RefreshToken.user_id.in_(users)))
    await session.execute(
        sa.delete(m.UserCountyGrant).where(m.UserCountyGrant.county_id == county_id)
    )
    await session.execute(sa.delete(m.User).where(m.User.id.in_(users)))
