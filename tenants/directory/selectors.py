from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shared.accounts.models import Account
from tenants.directory.models import ClassMembership, Guardianship, Person, Role, SchoolClass


def person_for_account(*, account: Account) -> Person | None:
    """The account's active membership in the current school, if any."""
    if not account.is_authenticated:
        return None
    return Person.objects.filter(account_id=account.pk, is_active=True).first()


# --- object-level scoping, reused by every module -------------------------------------------------------
#
# Each function starts from nothing and adds what the viewer's roles open (deny by default):
# a pupil sees themself, a guardian the children they have parental rights over, a teacher the pupils of
# the classes and groups they teach, vie scolaire and direction the whole school.

SCHOOL_WIDE_ROLES = (Role.DIRECTION, Role.VIE_SCOLAIRE, Role.SCHOOL_ADMIN)


def classes_taught_by(*, teacher: Person) -> QuerySet[SchoolClass]:
    """Classes a teacher teaches, directly or through one of the class's groups."""
    return SchoolClass.objects.filter(
        Q(teaching_services__teacher=teacher) | Q(groups__teaching_services__teacher=teacher)
    ).distinct()


def students_visible_to(*, viewer: Person) -> QuerySet[Person]:
    """Pupils whose records (timetable, absences, grades) the viewer may read."""
    students = Person.objects.filter(roles__contains=[Role.STUDENT], is_active=True)
    if viewer.has_role(*SCHOOL_WIDE_ROLES):
        return students
    visible = Q(pk__in=[])
    if viewer.has_role(Role.STUDENT):
        visible |= Q(pk=viewer.pk)
    if viewer.has_role(Role.GUARDIAN):
        visible |= Q(guardianships__guardian=viewer, guardianships__has_parental_rights=True)
    if viewer.has_role(Role.TEACHER):
        # a whole class for its teachers; only the members of a group for the group's teachers
        visible |= Q(class_membership__school_class__teaching_services__teacher=viewer)
        visible |= Q(group_memberships__group__teaching_services__teacher=viewer)
    return students.filter(visible).distinct()


def student_get_for(*, viewer: Person, student_id: int) -> Person:
    """One pupil the viewer may see; Person.DoesNotExist otherwise (the caller answers 404)."""
    return students_visible_to(viewer=viewer).get(pk=student_id)


def classes_visible_to(*, viewer: Person) -> QuerySet[SchoolClass]:
    """Classes whose lists the viewer may read: all for school-wide roles, taught ones for teachers,
    their own (or their children's) for pupils and guardians."""
    if viewer.has_role(*SCHOOL_WIDE_ROLES):
        return SchoolClass.objects.all()
    visible = Q(pk__in=[])
    if viewer.has_role(Role.TEACHER):
        visible |= Q(pk__in=classes_taught_by(teacher=viewer).values("pk"))
    if viewer.has_role(Role.STUDENT, Role.GUARDIAN):
        visible |= Q(memberships__student__in=students_visible_to(viewer=viewer))
    return SchoolClass.objects.filter(visible).distinct()


def staff_list() -> QuerySet[Person]:
    """Staff of the school (teachers, vie scolaire, direction…): every member may find them."""
    staff_roles = [Role.TEACHER, Role.VIE_SCOLAIRE, Role.DIRECTION, Role.SCHOOL_ADMIN, Role.STAFF]
    return Person.objects.filter(roles__overlap=staff_roles, is_active=True).order_by("display_name")


def people_search(*, viewer: Person, query: str = "", school_class_id: int | None = None) -> QuerySet[Person]:
    """People the viewer may find: the staff, and the pupils the viewer may see."""
    pupils = students_visible_to(viewer=viewer)
    if school_class_id is not None:
        people = Person.objects.filter(
            pk__in=pupils.filter(class_membership__school_class_id=school_class_id)
        )
    else:
        people = Person.objects.filter(Q(pk__in=pupils.values("pk")) | Q(pk__in=staff_list().values("pk")))
    if query:
        people = people.filter(display_name__icontains=query)
    return people.select_related("class_membership__school_class").order_by("display_name")


def class_get_for(*, viewer: Person, class_id: int) -> SchoolClass:
    return classes_visible_to(viewer=viewer).get(pk=class_id)


def children_of(*, guardian: Person) -> QuerySet[Person]:
    """The pupils this guardian has parental rights over, in this school."""
    return (
        Person.objects.filter(guardianships__guardian=guardian, guardianships__has_parental_rights=True)
        .select_related("class_membership__school_class")
        .order_by("display_name")
    )


@dataclass(frozen=True)
class Profile:
    person: Person
    school_class: SchoolClass | None
    children: list[Person]
    classes_taught: list[SchoolClass]


def profile_for(*, viewer: Person) -> Profile:
    membership = ClassMembership.objects.select_related("school_class").filter(student=viewer).first()
    return Profile(
        person=viewer,
        school_class=membership.school_class if membership else None,
        children=list(children_of(guardian=viewer)) if viewer.has_role(Role.GUARDIAN) else [],
        classes_taught=list(classes_taught_by(teacher=viewer)) if viewer.has_role(Role.TEACHER) else [],
    )


def guardian_links_of(*, account_ids: list[int]) -> dict[int, list[tuple[int, str, str, bool]]]:
    """Pupils' links here: pupil account → [(guardian account, guardian name, kind, parental rights)].

    Read by the AAF import when a pupil moves school without its links in the delta: they follow it.
    """
    links: dict[int, list[tuple[int, str, str, bool]]] = {}
    rows = Guardianship.objects.filter(student__account_id__in=account_ids).values_list(
        "student__account_id", "guardian__account_id", "guardian__display_name", "kind", "has_parental_rights"
    )
    for student, guardian, name, kind, rights in rows:
        links.setdefault(student, []).append((guardian, name, kind, rights))
    return links


def person_get_for(*, viewer: Person, person_id: int) -> Person:
    """A person of the school whose file the viewer may manage: anyone for the direction, else oneself."""
    people = Person.objects.all()
    if not viewer.has_role(Role.DIRECTION, Role.SCHOOL_ADMIN):
        people = people.filter(pk=viewer.pk)
    return people.get(pk=person_id)


def active_people_count() -> int:
    """Active members of the current school (for the AAF mass-change guard)."""
    return Person.objects.filter(is_active=True).count()
