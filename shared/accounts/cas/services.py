"""Writes about our CAS server: the services allowed to ask it for tickets, and what each receives."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from mbn.audit import audit_record
from shared.accounts.errors import CasAttributeUnknown, CasPatternInvalid, CasServiceNotCas
from shared.accounts.models import Account, CasServiceRelease, CasUserAttribute
from shared.accounts.selectors import CAS_ATTRIBUTE_NAMES, SCHOOL_HOST_ATTRIBUTES
from shared.catalogue.models import Service, ServiceKind

CAS_SCHOOL_HOSTS_PATTERN = "mbn-etablissements"
CAS_PUBLIC_HOST_PATTERN = "mbn-portail"
CATALOGUE_PATTERN_PREFIX = "catalogue-"


def school_hosts_pattern() -> str:
    """Every school host of the region, any port (dev), any path."""
    return rf"^https?://[a-z0-9]+\.{re.escape(settings.MBN_BASE_DOMAIN)}(:\d+)?/.*$"


def public_hosts_pattern() -> str:
    hosts = "|".join(re.escape(host) for host in settings.MBN_PUBLIC_HOSTS)
    return rf"^https?://({hosts})(:\d+)?/.*$"


@transaction.atomic
def cas_service_register(
    *,
    service: Service,
    url_pattern: str,
    attributes: Sequence[str],
    user_attribute: str = CasUserAttribute.UID,
    single_logout: bool = True,
    actor: Account | None = None,
) -> CasServiceRelease:
    """Allow a catalogue CAS service's URLs on our CAS server and choose the attributes it receives."""
    if service.kind != ServiceKind.CAS:
        raise CasServiceNotCas()
    if not url_pattern.startswith("^") or len(url_pattern) > 250:
        raise CasPatternInvalid()
    try:
        re.compile(url_pattern)
    except re.error as exc:
        raise CasPatternInvalid() from exc
    if any(name not in CAS_ATTRIBUTE_NAMES for name in attributes) or user_attribute not in set(
        CasUserAttribute.values
    ):
        raise CasAttributeUnknown()
    release, _ = CasServiceRelease.objects.update_or_create(
        service=service,
        defaults={
            "url_pattern": url_pattern,
            "attributes": list(dict.fromkeys(attributes)),
            "user_attribute": user_attribute,
            "single_logout": single_logout,
        },
    )
    audit_record(
        actor=actor,
        action="cas_service.registered",
        target=service,
        data={"pattern": url_pattern, "attributes": release.attributes},
    )
    cas_patterns_sync()
    return release


@transaction.atomic
def cas_patterns_sync() -> int:
    """Rebuild django-cas-server's service patterns from our hosts and the catalogue; returns their count.

    Idempotent. Runs after `migrate` and whenever a CAS service is registered. Our own hosts come first:
    a catalogue pattern can never capture a school's login.
    """
    from cas_server.models import ReplaceAttributName, ServicePattern

    wanted: list[tuple[str, str, str, Sequence[str], bool]] = [
        (CAS_PUBLIC_HOST_PATTERN, public_hosts_pattern(), "uid", SCHOOL_HOST_ATTRIBUTES, False),
        (CAS_SCHOOL_HOSTS_PATTERN, school_hosts_pattern(), "uid", SCHOOL_HOST_ATTRIBUTES, True),
    ]
    releases = CasServiceRelease.objects.filter(service__kind=ServiceKind.CAS).select_related("service")
    for release in releases.order_by("service__code"):
        wanted.append(
            (
                f"{CATALOGUE_PATTERN_PREFIX}{release.service.code}",
                release.url_pattern,
                release.user_attribute,
                release.attributes,
                release.single_logout,
            )
        )
    names = [name for name, *_ in wanted]
    ServicePattern.objects.exclude(name__in=names).delete()
    # Patterns are unique: a pattern moving to another name frees it first.
    ServicePattern.objects.filter(pattern__in=[pattern for _, pattern, *_ in wanted]).exclude(
        name__in=names
    ).delete()
    for position, (name, pattern, user_field, attributes, single_logout) in enumerate(wanted):
        service_pattern, _ = ServicePattern.objects.update_or_create(
            name=name,
            defaults={
                "pos": position * 10,
                "pattern": pattern,
                "user_field": user_field,
                "single_log_out": single_logout,
                "restrict_users": False,
                "proxy": False,
                "proxy_callback": False,
            },
        )
        ReplaceAttributName.objects.filter(service_pattern=service_pattern).delete()
        ReplaceAttributName.objects.bulk_create(
            [ReplaceAttributName(service_pattern=service_pattern, name=attribute) for attribute in attributes]
        )
    return len(wanted)
