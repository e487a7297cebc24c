from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    """What a person may do here; derived from national profiles and local functions."""

    STUDENT = "student", "Élève"
    GUARDIAN = "guardian", "Responsable"
    TEACHER = "teacher", "Enseignant"
    VIE_SCOLAIRE = "vie_scolaire", "Vie scolaire"
    DIRECTION = "direction", "Direction"
    SCHOOL_ADMIN = "school_admin", "Administrateur ENT"
    STAFF = "staff", "Personnel"


class NationalProfile(models.TextChoices):
    """SDET profiles (interop-sso.md §1), held per school."""

    ELV = "National_ELV", "Élève"
    TUT = "National_TUT", "Responsable d'élève"
    ENS = "National_ENS", "Enseignant"
    DIR = "National_DIR", "Personnel de direction"
    EVS = "National_EVS", "Vie scolaire"
    ETA = "National_ETA", "Personnel administratif ou technique"
    DOC = "National_DOC", "Professeur documentaliste"
    COL = "National_COL", "Personnel de collectivité"
    ACA = "National_ACA", "Personnel académique"


class LocalFunction(models.TextChoices):
    HEAD = "chef_etablissement", "Chef d'établissement"
    DEPUTY_HEAD = "adjoint", "Chef d'établissement adjoint"
    CPE = "cpe", "Conseiller principal d'éducation"
    MAIN_TEACHER = "professeur_principal", "Professeur principal"
    ENT_ADMIN = "administrateur_ent", "Administrateur ENT"


class Person(models.Model):
    """A person's membership of this school: their profiles, functions and roles here."""

    account = models.ForeignKey("accounts.Account", on_delete=models.DO_NOTHING, related_name="+")
    display_name = models.CharField(max_length=200)
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices), default=list)
    profiles = ArrayField(
        models.CharField(max_length=20, choices=NationalProfile.choices), default=list, blank=True
    )
    functions = ArrayField(
        models.CharField(max_length=30, choices=LocalFunction.choices), default=list, blank=True
    )
    is_active = models.BooleanField(default=True)
    # Two-step removal: a person missing from a full AAF run is marked, then removed after a grace period.
    left_on = models.DateField(null=True, blank=True)
    marked_for_deletion_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # STS-Web individual id (INDIVIDU/@ID, LSU's id-sts), set when an STS import matches this person.
    sts_id = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001  # NULL: unique when set

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(fields=["account"], name="person_one_per_account"),
            models.UniqueConstraint(
                fields=["sts_id"], condition=Q(sts_id__isnull=False), name="person_unique_sts_id"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]


class Subject(models.Model):
    """A subject (matière), coded as in the BCN."""

    code = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=120)
    # STS CODE_GESTION (MATHS, AGL1…): the short code timetable software uses for this subject.
    management_code = models.CharField(max_length=20, blank=True, default="", db_default="")

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Mef(models.Model):
    """A training module (MEF), e.g. 6e, 2nde générale et technologique."""

    code = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=120)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class SchoolClass(models.Model):
    """A class (division), e.g. 6e A."""

    code = models.CharField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    mef = models.ForeignKey(Mef, on_delete=models.SET_NULL, null=True, blank=True, related_name="classes")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class TeachingGroup(models.Model):
    """A group of pupils (half class, language group, cross-class option)."""

    code = models.CharField(max_length=60, unique=True)
    label = models.CharField(max_length=120)
    classes = models.ManyToManyField(SchoolClass, related_name="groups", blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class ClassMembership(models.Model):
    """A pupil in a class (one class at a time)."""

    student = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="class_membership")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="memberships")

    def __str__(self) -> str:
        return f"{self.student} — {self.school_class}"


class GroupMembership(models.Model):
    student = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_memberships")
    group = models.ForeignKey(TeachingGroup, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "group"], name="groupmembership_unique")]

    def __str__(self) -> str:
        return f"{self.student} — {self.group}"


class GuardianKind(models.TextChoices):
    LEGAL_1 = "legal_1", "Responsable légal 1"
    LEGAL_2 = "legal_2", "Responsable légal 2"
    FINANCIAL = "financial", "Responsable financier"
    CONTACT = "contact", "Personne à contacter"


class Guardianship(models.Model):
    """A guardian's link to a pupil of this school."""

    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardianships_held")
    student = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardianships")
    kind = models.CharField(max_length=10, choices=GuardianKind.choices)
    # Parental rights open the child's records (grades, absences) to the guardian; a contact has none.
    has_parental_rights = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_unique"),
            models.CheckConstraint(condition=~Q(guardian=models.F("student")), name="guardianship_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student} ({self.get_kind_display()})"


class TeachingService(models.Model):
    """A teacher teaches a subject to a class or to a group."""

    teacher = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="teaching_services")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="teaching_services")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, blank=True, related_name="teaching_services"
    )
    group = models.ForeignKey(
        TeachingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="teaching_services"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=True) ^ Q(group__isnull=True),
                name="teachingservice_one_target",
            ),
            models.UniqueConstraint(
                fields=["teacher", "subject", "school_class"],
                condition=Q(school_class__isnull=False),
                name="teachingservice_unique_class",
            ),
            models.UniqueConstraint(
                fields=["teacher", "subject", "group"],
                condition=Q(group__isnull=False),
                name="teachingservice_unique_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} — {self.subject} — {self.school_class or self.group}"
