"""Reads about accounts: the schools of an account, and what our CAS server says about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from shared.accounts.models import Account, SchoolAccess

# National profile held in a school when the directory recorded roles but no SDET profile yet.
PROFILE_OF_ROLE = {
    "student": "National_ELV",
    "guardian": "National_TUT",
    "teacher": "National_ENS",
    "direction": "National_DIR",
    "vie_scolaire": "National_EVS",
    "staff": "National_ETA",
}
# Attribute names a registered service may receive (interop-sso.md §2-3).
CAS_ATTRIBUTE_NAMES = (
    "uid",
    "displayName",
    "mail",
    "ENTPersonLogin",
    "ENTPersonJointure",
    "ENTPersonNom",
    "ENTPersonPrenom",
    "ENTPersonMail",
    "ENTPersonProfils",
    "ENTPersonStructRattachRNE",
)
# What the schools of the region (and the public host) receive: everything above.
SCHOOL_HOST_ATTRIBUTES = CAS_ATTRIBUTE_NAMES


@dataclass(frozen=True)
class SchoolLink:
    name: str
    uai: str
    host: str
    is_current: bool


def school_accesses_for(*, viewer: Account) -> QuerySet[SchoolAccess]:
    """The schools where the viewer is a member (the picker's index, never an authorization)."""
    return (
        SchoolAccess.objects.filter(account_id=viewer.pk, school__status="active")
        .select_related("school__establishment")
        .order_by("school__name")
    )


def school_links_for(*, viewer: Account, current_schema: str | None = None) -> list[SchoolLink]:
    return [
        SchoolLink(
            name=access.school.name,
            uai=access.school.establishment.uai,  # type: ignore[union-attr]  # every school has one
            host=f"{access.school.slug}.{settings.MBN_BASE_DOMAIN}",
            is_current=access.school.schema_name == current_schema,
        )
        for access in school_accesses_for(viewer=viewer)
    ]


def _profiles(access: SchoolAccess) -> list[str]:
    if access.profiles:
        return list(access.profiles)
    return [PROFILE_OF_ROLE[role] for role in access.roles if role in PROFILE_OF_ROLE]


def cas_attributes_for(*, account: Account) -> dict[str, Any]:
    """Every attribute our CAS server knows about an account; each service gets the subset it registered."""
    accesses = list(school_accesses_for(viewer=account))
    profiles = sorted({profile for access in accesses for profile in _profiles(access)})
    if account.collectivity_roles.exists():
        profiles.append("National_COL")
    display_name = f"{account.first_name} {account.last_name}".strip() or account.username
    attributes: dict[str, Any] = {
        "uid": str(account.uid),
        "displayName": display_name,
        "ENTPersonLogin": account.username,
        "ENTPersonNom": account.last_name,
        "ENTPersonPrenom": account.first_name,
        "ENTPersonProfils": profiles,
        "ENTPersonStructRattachRNE": sorted(
            {access.school.establishment.uai for access in accesses}  # type: ignore[union-attr]
        ),
    }
    if account.email:
        attributes["mail"] = attributes["ENTPersonMail"] = account.email
    if account.aaf_jointure:
        attributes["ENTPersonJointure"] = account.aaf_jointure
    return attributes


def account_by_uid(*, uid: str) -> Account | None:
    try:
        return Account.objects.filter(uid=uid, is_active=True).first()
    except ValidationError:  # not a UUID: no account
        return None
