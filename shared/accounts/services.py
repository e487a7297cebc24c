from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from mbn.audit import audit_record
from mbn.bulk import bulk_insert_rows, bulk_update_rows
from shared.accounts.models import Account, CollectivityRole, CollectivityRoleKind, SchoolAccess
from shared.accounts.security import SECOND_FACTOR_SCHOOL_ROLES, accounts_second_factor_refresh
from shared.collectivites.models import Collectivite


@transaction.atomic
def account_create(
    *, username: str, password: str | None, first_name: str = "", last_name: str = "", email: str = ""
) -> Account:
    """A region-wide account; without a password it cannot log in until activated."""
    account = Account.objects.create_user(
        username=username, password=password, first_name=first_name, last_name=last_name, email=email
    )
    audit_record(actor=None, action="account.created", target=account)
    return account


@transaction.atomic
def collectivity_role_grant(
    *,
    account: Account,
    collectivite: Collectivite,
    role: str = CollectivityRoleKind.ADMIN,
    actor: Account | None = None,
) -> CollectivityRole:
    """Let an account administer the establishments of a collectivité."""
    grant, _ = CollectivityRole.objects.update_or_create(
        account=account, collectivite=collectivite, defaults={"role": role}
    )
    audit_record(
        actor=actor,
        action="collectivity_role.granted",
        target=account,
        data={"collectivite": collectivite.code},
    )
    accounts_second_factor_refresh(account_ids=[account.pk], actor=actor)
    return grant


def school_access_record(
    *, account: Account, roles: Sequence[str] | None = None, profiles: Sequence[str] | None = None
) -> None:
    """Index the current school for the account's school picker (called from the school's schema).

    Roles and profiles, when given, are copied for the picker, the second-factor rule and CAS attributes.
    """
    from mbn.tenancy import current_schema
    from shared.accounts.models import SchoolAccess
    from shared.tenancy.models import School

    school = School.objects.only("pk").get(schema_name=current_schema())
    access, _ = SchoolAccess.objects.get_or_create(account=account, school=school)
    if roles is not None or profiles is not None:
        access.roles = sorted(roles) if roles is not None else access.roles
        access.profiles = sorted(profiles) if profiles is not None else access.profiles
        access.save(update_fields=["roles", "profiles", "updated_at"])
        accounts_second_factor_refresh(account_ids=[account.pk])


# --- accounts fed by the académie directory (AAF) ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class DirectoryIdentity:
    """Who a directory record is: its namespaced key (``NANCY-METZ-3100001``), INE and names.

    `update_identity=False` only makes sure the account exists (a parent named by a pupil's link
    before the parents' file arrives); it never overwrites names with blanks.
    """

    key: str
    ine: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    update_identity: bool = True
    account_id: int | None = None  # already known (the import's record state): used as is


@dataclass(frozen=True, slots=True)
class DirectoryAccount:
    account_id: int
    created: bool
    merged: bool  # found through its INE under another key: same pupil, one account
    display_name: str


def _display_name(first_name: str, last_name: str, fallback: str) -> str:
    return f"{first_name} {last_name}".strip() or fallback


@transaction.atomic
def accounts_upsert_from_directory(*, identities: Sequence[DirectoryIdentity]) -> list[DirectoryAccount]:
    """One account per person across schools: found by directory key, else by INE, else created.

    Bulk (a few queries per call, whatever the count); the answer is in the order of `identities`.
    An INE already held under another key merges the records into that account (a pupil who
    changed académie keeps their account); the same INE twice in one call is one account too.
    """
    keys = [identity.key for identity in identities if identity.account_id is None]
    by_key: dict[str, Account] = {
        a.aaf_jointure: a for a in Account.objects.filter(aaf_jointure__in=keys) if a.aaf_jointure
    }
    known_ids = [identity.account_id for identity in identities if identity.account_id is not None]
    by_id = {a.pk: a for a in Account.objects.filter(pk__in=known_ids)} if known_ids else {}
    wanted_ines = {i.ine for i in identities if i.ine and i.key not in by_key}
    by_ine: dict[str, Account] = (
        {a.ine: a for a in Account.objects.filter(ine__in=wanted_ines) if a.ine} if wanted_ines else {}
    )
    for known in [*by_key.values(), *by_id.values()]:
        if known.ine:
            by_ine.setdefault(known.ine, known)
    unusable = make_password(None)
    to_create: dict[str, Account] = {}
    merged: set[str] = set()
    resolved: dict[str, Account] = {}
    for identity in identities:
        account: Account | None = (
            (by_id.get(identity.account_id) if identity.account_id is not None else None)
            or by_key.get(identity.key)
            or to_create.get(identity.key)
        )
        if account is None and identity.ine:
            account = by_ine.get(identity.ine)
            if account is not None:
                merged.add(identity.key)
        if account is None:
            account = Account(
                username=identity.key.lower(),
                aaf_jointure=identity.key,
                ine=identity.ine or None,
                first_name=identity.first_name[:100],
                last_name=identity.last_name[:100],
                email=identity.email[:254],
                password=unusable,
            )
            to_create[identity.key] = account
            if identity.ine:
                by_ine[identity.ine] = account
        resolved[identity.key] = account
    created_keys = set(to_create)
    if to_create:
        _accounts_insert(list(to_create.values()))
    changed: dict[int, Account] = {}
    for identity in identities:
        account = resolved[identity.key]
        if identity.key in created_keys or not identity.update_identity:
            continue
        values = {
            "first_name": identity.first_name[:100],
            "last_name": identity.last_name[:100],
            "email": identity.email[:254],
        }
        if identity.ine and account.ine is None and by_ine.get(identity.ine, account) is account:
            values["ine"] = identity.ine
        if any(getattr(account, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(account, field, value)
            changed[account.pk] = account
    if changed:
        bulk_update_rows(list(changed.values()), ["first_name", "last_name", "email", "ine"])
    return [
        DirectoryAccount(
            account_id=resolved[i.key].pk,
            created=i.key in created_keys,
            merged=i.key in merged,
            display_name=_display_name(resolved[i.key].first_name, resolved[i.key].last_name, "Responsable"),
        )
        for i in identities
    ]


# Columns of a directory-created account (the others take their defaults: active, date joined, uid).
_DIRECTORY_ACCOUNT_FIELDS = (
    "username",
    "aaf_jointure",
    "ine",
    "first_name",
    "last_name",
    "email",
    "password",
)


def _accounts_insert(accounts: Sequence[Account]) -> None:
    ids = bulk_insert_rows(
        Account,
        _DIRECTORY_ACCOUNT_FIELDS,
        ([getattr(a, name) for name in _DIRECTORY_ACCOUNT_FIELDS] for a in accounts),
        returning=("aaf_jointure", "id"),
    )
    by_key = dict(ids)  # matched by key, whatever the order of the rows
    for account in accounts:
        account.pk = by_key[account.aaf_jointure]
        account._state.adding = False
        account._state.db = "default"


def account_upsert_from_directory(*, identity: DirectoryIdentity) -> DirectoryAccount:
    """The single-record form of `accounts_upsert_from_directory`."""
    return accounts_upsert_from_directory(identities=[identity])[0]


SECOND_FACTOR_SCHOOL_ROLES_SET = frozenset(SECOND_FACTOR_SCHOOL_ROLES)


def school_accesses_add(*, entries: Iterable[tuple[int, int, Sequence[str], Sequence[str]]]) -> None:
    """Index (account id, school id, roles, profiles) for the school picker and CAS attributes, in bulk."""
    rows = {
        (account_id, school_id): (account_id, school_id, list(roles), list(profiles))
        for account_id, school_id, roles, profiles in entries
    }
    if rows:
        bulk_insert_rows(
            SchoolAccess,
            ("account_id", "school_id", "roles", "profiles"),
            rows.values(),
            unique_fields=("account", "school"),
            update_fields=("roles", "profiles", "updated_at"),
        )
        # Only two kinds of accounts can see their second-factor rule change here: those given a role
        # that requires it, and those that have it (a role may have been taken away). Any other account
        # neither had the flag nor gets a reason for it, so the rule is not evaluated for it.
        granted = {
            account_id
            for account_id, _, roles, _ in rows.values()
            if not SECOND_FACTOR_SCHOOL_ROLES_SET.isdisjoint(roles)
        }
        flagged = Account.objects.filter(pk__in=[a for a, _ in rows], requires_second_factor=True)
        accounts_second_factor_refresh(account_ids=granted | set(flagged.values_list("pk", flat=True)))


def school_accesses_remove(*, school_id: int, account_ids: Collection[int]) -> None:
    if account_ids:
        SchoolAccess.objects.filter(school_id=school_id, account_id__in=list(account_ids)).delete()
        accounts_second_factor_refresh(account_ids=account_ids)


def accounts_deactivate_without_school(*, account_ids: Collection[int]) -> int:
    """Block directory accounts left with no school at all (second step of a removal)."""
    return Account.objects.filter(
        pk__in=list(account_ids), aaf_jointure__isnull=False, school_accesses__isnull=True
    ).update(is_active=False)
