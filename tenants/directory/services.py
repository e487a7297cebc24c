from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from mbn.audit import audit_record
from mbn.bulk import bulk_insert_rows, bulk_update_rows
from shared.accounts.models import Account
from shared.accounts.services import school_access_record
from tenants.directory.models import (
    ClassMembership,
    GroupMembership,
    Guardianship,
    Mef,
    NationalProfile,
    Person,
    Role,
    SchoolClass,
    Subject,
    TeachingGroup,
    TeachingService,
)


@transaction.atomic
def person_enrol(*, account: Account, roles: list[str], actor: Person | None = None) -> Person:
    """Make an account a member of this school with these roles (and index it for the school picker)."""
    person, _ = Person.objects.update_or_create(
        account=account,
        defaults={"display_name": str(account), "roles": sorted(set(roles)), "is_active": True},
    )
    school_access_record(account=account, roles=person.roles, profiles=person.profiles)
    audit_record(actor=actor, action="person.enrolled", target=person, data={"roles": person.roles})
    return person


# --- the AAF feed: bulk writes in the current school's schema ------------------------------------------
# Called by tenants/directory/aaf_import.py once per school and per batch of records, inside the file's
# transaction. Each call costs a fixed number of queries whatever the batch size.


@dataclass(frozen=True, slots=True)
class GuardianLinkSync:
    """A responsable of a pupil, as the pupil's record gives it."""

    account_id: int
    display_name: str
    kind: str  # GuardianKind
    has_parental_rights: bool


@dataclass(frozen=True, slots=True)
class PersonSync:
    """What one directory record sets on a person of this school; None leaves a part as it is."""

    account_id: int
    display_name: str | None = None
    roles: tuple[str, ...] | None = None
    profiles: tuple[str, ...] | None = None
    functions: tuple[str, ...] | None = None
    class_codes: tuple[str, ...] | None = None  # a pupil's class (the first one counts)
    group_codes: tuple[str, ...] | None = None
    guardians: tuple[GuardianLinkSync, ...] | None = None
    # (subject code, class code, group code): exactly one of class and group is set
    services: tuple[tuple[str, str | None, str | None], ...] | None = None


@dataclass(frozen=True, slots=True)
class PeopleSynced:
    created_account_ids: list[int]  # new members here (from the records): index them for the school picker
    joined_account_ids: list[int]  # parents who became (again) members here through a child's link
    updated: int
    ended_account_ids: list[int]  # guardians left without any child here


PERSON_SYNCED_FIELDS = (
    "display_name",
    "roles",
    "profiles",
    "functions",
    "is_active",
    "left_on",
    "marked_for_deletion_at",
)


# Columns a directory-created person is inserted with (the others take their defaults).
PERSON_CREATED_FIELDS = ("account_id", *PERSON_SYNCED_FIELDS)


def _people_insert(people: Sequence[Person]) -> None:
    """Insert new people in bulk and give each instance its id."""
    ids = bulk_insert_rows(
        Person,
        PERSON_CREATED_FIELDS,
        ([getattr(p, name) for name in PERSON_CREATED_FIELDS] for p in people),
        returning=("account_id", "id"),
    )
    by_account = dict(ids)  # one person per account: matched by key, whatever the order of the rows
    for person in people:
        person.pk = by_account[person.account_id]
        person._state.adding = False
        person._state.db = "default"


def _person_state(person: Person) -> tuple[object, ...]:
    return tuple(
        tuple(value) if isinstance(value, list) else value
        for value in (getattr(person, name) for name in PERSON_SYNCED_FIELDS)
    )


@transaction.atomic
def directory_structure_sync(
    *, classes: Sequence[tuple[str, str, str]], groups: Sequence[tuple[str, str]]
) -> None:
    """Classes (code, label, MEF code) and groups (code, label) declared by the school's AAF structure."""
    mef_codes = {mef for _, _, mef in classes if mef}
    existing_mefs = set(Mef.objects.filter(code__in=mef_codes).values_list("code", flat=True))
    # The MEF file comes after the structures: a placeholder label until it arrives.
    Mef.objects.bulk_create([Mef(code=code, label=code) for code in sorted(mef_codes - existing_mefs)])
    mef_ids = dict(Mef.objects.filter(code__in=mef_codes).values_list("code", "pk"))
    SchoolClass.objects.bulk_create(
        [SchoolClass(code=code, label=label[:120], mef_id=mef_ids.get(mef)) for code, label, mef in classes],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label", "mef"],
    )
    TeachingGroup.objects.bulk_create(
        [TeachingGroup(code=code, label=label[:120]) for code, label in groups],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["label"],
    )


@transaction.atomic
def directory_referentials_sync(
    *, subjects: Sequence[tuple[str, str]] = (), mefs: Sequence[tuple[str, str]] = ()
) -> None:
    """Subjects and MEF (code, label) of the académie's referentials."""
    if subjects:
        Subject.objects.bulk_create(
            [Subject(code=code, label=label[:120]) for code, label in subjects],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["label"],
        )
    if mefs:
        Mef.objects.bulk_create(
            [Mef(code=code, label=label[:120]) for code, label in mefs],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["label"],
        )


@transaction.atomic
def people_sync_from_directory(*, people: Sequence[PersonSync]) -> PeopleSynced:
    """Create or update members from directory records, with their class, groups, links and services."""
    ids = [p.account_id for p in people]
    existing = {p.account_id: p for p in Person.objects.filter(account_id__in=ids)}
    known_ids = {p.pk for p in existing.values()}  # only they can have rows to rewrite
    created: list[Person] = []
    updated: list[Person] = []
    for sync in people:
        person = existing.get(sync.account_id)
        before = None
        if person is None:
            person = Person(account_id=sync.account_id, display_name=(sync.display_name or "")[:200])
            created.append(person)
            existing[sync.account_id] = person
        else:
            before = _person_state(person)
        if sync.display_name is not None:
            person.display_name = sync.display_name[:200]
        if sync.roles is not None:
            person.roles = sorted(set(sync.roles))
        if sync.profiles is not None:
            person.profiles = sorted(set(sync.profiles))
        if sync.functions is not None:
            person.functions = sorted(set(sync.functions))
        person.is_active = True
        person.left_on = None
        person.marked_for_deletion_at = None
        if before is not None and before != _person_state(person):
            updated.append(person)
    _people_insert(created)
    bulk_update_rows(updated, PERSON_SYNCED_FIELDS)
    person_ids = {account_id: person.pk for account_id, person in existing.items()}
    _memberships_sync(people, person_ids, known_ids)
    joined, ended = _guardianships_sync(people, person_ids, known_ids)
    _services_sync(people, person_ids, known_ids)
    return PeopleSynced(
        created_account_ids=[p.account_id for p in created],
        joined_account_ids=joined,
        updated=len(updated),
        ended_account_ids=ended,
    )


def _existing(ids: Sequence[int], known_ids: set[int]) -> list[int]:
    """The ids of people who were members before this call: a new person has nothing to delete yet."""
    return [pk for pk in ids if pk in known_ids]


def _memberships_sync(people: Sequence[PersonSync], person_ids: dict[int, int], known_ids: set[int]) -> None:
    with_class = [p for p in people if p.class_codes is not None]
    if with_class:
        rewritten = _existing([person_ids[p.account_id] for p in with_class], known_ids)
        if rewritten:
            ClassMembership.objects.filter(student_id__in=rewritten).delete()
        class_ids = dict(
            SchoolClass.objects.filter(
                code__in={c for p in with_class for c in p.class_codes or ()}
            ).values_list("code", "pk")
        )
        bulk_insert_rows(
            ClassMembership,
            ("student_id", "school_class_id"),
            (
                (person_ids[p.account_id], class_ids[p.class_codes[0]])
                for p in with_class
                if p.class_codes and p.class_codes[0] in class_ids
            ),
        )
    with_groups = [p for p in people if p.group_codes is not None]
    if with_groups:
        rewritten = _existing([person_ids[p.account_id] for p in with_groups], known_ids)
        if rewritten:
            GroupMembership.objects.filter(student_id__in=rewritten).delete()
        group_ids = dict(
            TeachingGroup.objects.filter(
                code__in={c for p in with_groups for c in p.group_codes or ()}
            ).values_list("code", "pk")
        )
        bulk_insert_rows(
            GroupMembership,
            ("student_id", "group_id"),
            (
                (person_ids[p.account_id], group_ids[code])
                for p in with_groups
                for code in dict.fromkeys(p.group_codes or ())
                if code in group_ids
            ),
        )


def _guardianships_sync(
    people: Sequence[PersonSync], person_ids: dict[int, int], known_ids: set[int]
) -> tuple[list[int], list[int]]:
    """Rewrite the pupils' links; returns (guardians who joined this school, guardians who left it)."""
    with_links = [p for p in people if p.guardians is not None]
    if not with_links:
        return [], []
    student_ids = _existing([person_ids[p.account_id] for p in with_links], known_ids)
    previous: set[int] = set()
    if student_ids:
        previous = set(
            Guardianship.objects.filter(student_id__in=student_ids).values_list("guardian_id", flat=True)
        )
        Guardianship.objects.filter(student_id__in=student_ids).delete()
    links = {link.account_id: link for p in with_links for link in p.guardians or ()}
    guardians = {g.account_id: g for g in Person.objects.filter(account_id__in=list(links))}
    new_guardians = [
        Person(
            account_id=account_id,
            display_name=link.display_name[:200],
            roles=[Role.GUARDIAN],
            profiles=[NationalProfile.TUT],
        )
        for account_id, link in links.items()
        if account_id not in guardians
    ]
    _people_insert(new_guardians)
    guardians.update({g.account_id: g for g in new_guardians})
    revived = [g for g in guardians.values() if not g.is_active or Role.GUARDIAN not in g.roles]
    for guardian in revived:
        guardian.is_active, guardian.left_on = True, None
        guardian.roles = sorted({*guardian.roles, Role.GUARDIAN})
        guardian.profiles = sorted({*guardian.profiles, NationalProfile.TUT})
    if revived:
        bulk_update_rows(revived, ["is_active", "left_on", "roles", "profiles"])
    bulk_insert_rows(
        Guardianship,
        ("guardian_id", "student_id", "kind", "has_parental_rights"),
        (
            (guardians[link.account_id].pk, person_ids[p.account_id], link.kind, link.has_parental_rights)
            for p in with_links
            for link in {link.account_id: link for link in p.guardians or ()}.values()
            if link.account_id != p.account_id
        ),
    )
    # A link disappears only when no child here still carries it; then the parent leaves this school.
    orphans = Person.objects.filter(
        pk__in=previous - {g.pk for g in guardians.values()},
        roles=[Role.GUARDIAN],
        guardianships_held__isnull=True,
    )
    ended = list(orphans.values_list("account_id", flat=True))
    if ended:
        _memberships_end(Person.objects.filter(account_id__in=ended), on=timezone.localdate())
    joined = [g.account_id for g in new_guardians] + [g.account_id for g in revived]
    return joined, ended


def _services_sync(people: Sequence[PersonSync], person_ids: dict[int, int], known_ids: set[int]) -> None:
    with_services = [p for p in people if p.services is not None]
    if not with_services:
        return
    rewritten = _existing([person_ids[p.account_id] for p in with_services], known_ids)
    if rewritten:
        TeachingService.objects.filter(teacher_id__in=rewritten).delete()
    wanted = [s for p in with_services for s in p.services or ()]
    subject_ids = dict(Subject.objects.filter(code__in={s[0] for s in wanted}).values_list("code", "pk"))
    class_ids = dict(
        SchoolClass.objects.filter(code__in={s[1] for s in wanted if s[1]}).values_list("code", "pk")
    )
    group_ids = dict(
        TeachingGroup.objects.filter(code__in={s[2] for s in wanted if s[2]}).values_list("code", "pk")
    )
    rows: dict[tuple[int, int, int | None, int | None], None] = {}
    for p in with_services:
        for subject, class_code, group_code in p.services or ():
            subject_id = subject_ids.get(subject)
            class_id = class_ids.get(class_code) if class_code else None
            group_id = group_ids.get(group_code) if group_code else None
            if subject_id is None or (class_id is None) == (group_id is None):
                continue  # unknown subject, class or group: reported as a warning by the import
            teacher_id = person_ids[p.account_id]
            rows[(teacher_id, subject_id, class_id, group_id)] = None
    bulk_insert_rows(TeachingService, ("teacher_id", "subject_id", "school_class_id", "group_id"), rows)


def _memberships_end(people: QuerySet[Person], *, on: datetime.date) -> None:
    person_ids = list(people.values_list("pk", flat=True))
    ClassMembership.objects.filter(student_id__in=person_ids).delete()
    GroupMembership.objects.filter(student_id__in=person_ids).delete()
    Guardianship.objects.filter(Q(student_id__in=person_ids) | Q(guardian_id__in=person_ids)).delete()
    TeachingService.objects.filter(teacher_id__in=person_ids).delete()
    Person.objects.filter(pk__in=person_ids).update(is_active=False, left_on=on, marked_for_deletion_at=None)


@transaction.atomic
def people_membership_end(*, account_ids: Collection[int], on: datetime.date) -> list[int]:
    """These people leave this school (moved away, or removed after the grace period); history is kept.

    Their class, groups, links and services here end; so does the membership of a parent left with
    no child here. Returns every account whose membership ended, for the school picker.
    """
    leaving = Person.objects.filter(account_id__in=list(account_ids), is_active=True)
    leaving_ids = list(leaving.values_list("pk", flat=True))
    guardian_ids = set(
        Guardianship.objects.filter(student_id__in=leaving_ids).values_list("guardian_id", flat=True)
    )
    ended = list(leaving.values_list("account_id", flat=True))
    _memberships_end(Person.objects.filter(pk__in=leaving_ids), on=on)
    orphans = Person.objects.filter(
        pk__in=guardian_ids - set(leaving_ids), roles=[Role.GUARDIAN], guardianships_held__isnull=True
    )
    orphan_accounts = list(orphans.values_list("account_id", flat=True))
    _memberships_end(orphans, on=on)
    if ended or orphan_accounts:
        audit_record(
            actor=None,
            action="directory.memberships_ended",
            data={"count": len(ended) + len(orphan_accounts)},
        )
    return [*ended, *orphan_accounts]


@transaction.atomic
def people_mark_for_deletion(*, account_ids: Collection[int], at: datetime.datetime) -> int:
    """First step of a removal: marked, out of classes and groups; the account still reads its documents."""
    marked = Person.objects.filter(
        account_id__in=list(account_ids), is_active=True, marked_for_deletion_at__isnull=True
    )
    person_ids = list(marked.values_list("pk", flat=True))
    ClassMembership.objects.filter(student_id__in=person_ids).delete()
    GroupMembership.objects.filter(student_id__in=person_ids).delete()
    count = Person.objects.filter(pk__in=person_ids).update(marked_for_deletion_at=at)
    if count:
        audit_record(actor=None, action="directory.marked_for_deletion", data={"count": count})
    return count


# --- structures and services from a timetable import (tenants/timetable/import_services.py) ----------------
# Small upserts that write only the rows that change and say what they did, so that a second identical
# import writes nothing. Codes are the natural keys; labels follow the file.


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def subjects_upsert(*, subjects: Sequence[tuple[str, str, str]], actor: Person | None = None) -> UpsertCounts:
    """Subjects (BCN code, label, management code such as MATHS)."""
    existing = {s.code: s for s in Subject.objects.filter(code__in=[code for code, _, _ in subjects])}
    created: list[Subject] = []
    updated: list[Subject] = []
    for code, label, management_code in {row[0]: row for row in subjects}.values():
        subject = existing.get(code)
        if subject is None:
            created.append(Subject(code=code, label=label[:120], management_code=management_code[:20]))
        elif (subject.label, subject.management_code) != (label[:120], management_code[:20]):
            subject.label, subject.management_code = label[:120], management_code[:20]
            updated.append(subject)
    Subject.objects.bulk_create(created)
    Subject.objects.bulk_update(updated, ["label", "management_code"])
    return _counted(actor, "directory.subjects_synced", created, updated, len(subjects))


@transaction.atomic
def mefs_upsert(*, mefs: Sequence[tuple[str, str]], actor: Person | None = None) -> UpsertCounts:
    """MEFs (code, label)."""
    existing = {m.code: m for m in Mef.objects.filter(code__in=[code for code, _ in mefs])}
    created: list[Mef] = []
    updated: list[Mef] = []
    for code, label in dict(mefs).items():
        mef = existing.get(code)
        if mef is None:
            created.append(Mef(code=code, label=label[:120]))
        elif mef.label != label[:120]:
            mef.label = label[:120]
            updated.append(mef)
    Mef.objects.bulk_create(created)
    Mef.objects.bulk_update(updated, ["label"])
    return _counted(actor, "directory.mefs_synced", created, updated, len(mefs))


@transaction.atomic
def classes_upsert(
    *, classes: Sequence[tuple[str, str, str | None]], actor: Person | None = None
) -> UpsertCounts:
    """Classes (code, label, MEF code or None to leave the MEF as it is). MEFs must exist."""
    mef_ids = dict(Mef.objects.filter(code__in={m for _, _, m in classes if m}).values_list("code", "pk"))
    existing = {c.code: c for c in SchoolClass.objects.filter(code__in=[code for code, _, _ in classes])}
    created: list[SchoolClass] = []
    updated: list[SchoolClass] = []
    for code, label, mef in classes:
        school_class = existing.get(code)
        mef_id = mef_ids.get(mef) if mef else None
        if school_class is None:
            school_class = SchoolClass(code=code, label=label[:120], mef_id=mef_id)
            created.append(school_class)
            existing[code] = school_class
            continue
        wanted = (label[:120], mef_id if mef else school_class.mef_id)
        if (school_class.label, school_class.mef_id) != wanted:
            school_class.label, school_class.mef_id = wanted
            if school_class.pk is not None and school_class not in updated:
                updated.append(school_class)
    SchoolClass.objects.bulk_create(created)
    SchoolClass.objects.bulk_update(updated, ["label", "mef"])
    return _counted(actor, "directory.classes_synced", created, updated, len(classes))


@transaction.atomic
def groups_upsert(
    *, groups: Sequence[tuple[str, str, tuple[str, ...]]], actor: Person | None = None
) -> UpsertCounts:
    """Groups (code, label, codes of their classes); the classes must exist. An empty tuple of classes
    leaves the group's classes as they are."""
    class_ids = dict(
        SchoolClass.objects.filter(code__in={c for _, _, codes in groups for c in codes}).values_list(
            "code", "pk"
        )
    )
    existing = {
        g.code: g
        for g in TeachingGroup.objects.filter(code__in=[code for code, _, _ in groups]).prefetch_related(
            "classes"
        )
    }
    created: list[TeachingGroup] = []
    updated: list[TeachingGroup] = []
    for code, label, codes in groups:
        wanted_classes = {class_ids[c] for c in codes if c in class_ids}
        group = existing.get(code)
        if group is None:
            group = TeachingGroup.objects.create(code=code, label=label[:120])
            group.classes.set(wanted_classes)
            existing[code] = group
            created.append(group)
            continue
        changed = False
        if group.label != label[:120]:
            group.label = label[:120]
            group.save(update_fields=["label"])
            changed = True
        if codes and {c.pk for c in group.classes.all()} != wanted_classes:
            group.classes.set(wanted_classes)
            changed = True
        if changed and group not in created and group not in updated:
            updated.append(group)
    return _counted(actor, "directory.groups_synced", created, updated, len(groups))


@transaction.atomic
def teaching_services_ensure(
    *, services: Sequence[tuple[int, str, str | None, str | None]], actor: Person | None = None
) -> UpsertCounts:
    """Teaching services (teacher id, subject code, class code, group code: exactly one of the two).

    Adds the missing ones and keeps the others (the AAF feed also writes services: nothing is removed here).
    """
    subject_ids = dict(Subject.objects.filter(code__in={s[1] for s in services}).values_list("code", "pk"))
    class_ids = dict(
        SchoolClass.objects.filter(code__in={s[2] for s in services if s[2]}).values_list("code", "pk")
    )
    group_ids = dict(
        TeachingGroup.objects.filter(code__in={s[3] for s in services if s[3]}).values_list("code", "pk")
    )
    existing = set(
        TeachingService.objects.filter(teacher_id__in={s[0] for s in services}).values_list(
            "teacher_id", "subject_id", "school_class_id", "group_id"
        )
    )
    wanted: dict[tuple[int, int, int | None, int | None], None] = {}
    for teacher_id, subject, class_code, group_code in services:
        key = (
            teacher_id,
            subject_ids[subject],
            class_ids[class_code] if class_code else None,
            group_ids[group_code] if group_code else None,
        )
        wanted[key] = None
    created = [
        TeachingService(teacher_id=t, subject_id=s, school_class_id=c, group_id=g)
        for (t, s, c, g) in wanted
        if (t, s, c, g) not in existing
    ]
    TeachingService.objects.bulk_create(created)
    return _counted(actor, "directory.services_synced", created, [], len(wanted))


@transaction.atomic
def person_sts_id_link(*, person: Person, sts_id: str, actor: Person | None = None) -> Person:
    """Record a person's STS-Web id (LSU's id-sts) once an STS import has matched them."""
    if person.sts_id != sts_id:
        Person.objects.filter(sts_id=sts_id).exclude(pk=person.pk).update(sts_id=None)
        person.sts_id = sts_id
        person.save(update_fields=["sts_id"])
        audit_record(actor=actor, action="person.sts_id_linked", target=person)
    return person


def _counted(
    actor: Person | None, action: str, created: Sequence[object], updated: Sequence[object], total: int
) -> UpsertCounts:
    counts = UpsertCounts(
        created=len(created), updated=len(updated), unchanged=total - len(created) - len(updated)
    )
    if counts.created or counts.updated:
        audit_record(actor=actor, action=action, data={"created": counts.created, "updated": counts.updated})
    return counts


@transaction.atomic
def student_card_read(*, viewer: Person, student: Person) -> Person:
    """A pupil's card opened by someone else: a read of personal data, audited (who, whom, when, where)."""
    if viewer.pk != student.pk:
        audit_record(actor=viewer, action="student.viewed", target=student)
    return student
