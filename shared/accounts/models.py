from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Now


class AccountManager(BaseUserManager["Account"]):
    def create_user(self, username: str, password: str | None = None, **fields: object) -> Account:
        account = self.model(username=username, **fields)
        account.set_password(password)
        account.save(using=self._db)
        return account


class Account(AbstractBaseUser):
    """One human, one account, across every school where they study, teach or have children."""

    username = models.CharField(max_length=150, unique=True)
    # Opaque and never reassigned: what CAS releases as `cas:user` (interop-sso.md §2).
    uid = models.UUIDField(unique=True, editable=False, db_default=models.Func(function="gen_random_uuid"))
    # Natural keys from the académie directory (AAF): the join key, and the INE for pupils.
    aaf_jointure = models.CharField(max_length=64, unique=True, null=True, blank=True)
    ine = models.CharField(max_length=11, unique=True, null=True, blank=True)
    email = models.EmailField(blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)
    # Heads, school admins and collectivity staff must log in with a TOTP code too; kept by the services
    # that grant those roles (accounts.services.account_second_factor_refresh).
    requires_second_factor = models.BooleanField(default=False, db_default=False)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]  # AbstractBaseUser declares it as a class variable

    def __str__(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username


class CollectivityRoleKind(models.TextChoices):
    ADMIN = "admin", "Administrateur"
    VIEWER = "viewer", "Lecture seule"


class CollectivityRole(models.Model):
    """An account administers (or only views) the establishments of one collectivité."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="collectivity_roles")
    collectivite = models.ForeignKey(
        "collectivites.Collectivite", on_delete=models.PROTECT, related_name="roles"
    )
    role = models.CharField(max_length=10, choices=CollectivityRoleKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "collectivite"], name="collectivityrole_one_per_collectivite"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} — {self.get_role_display()} ({self.collectivite})"


class SchoolAccess(models.Model):
    """Public index of the schools an account belongs to, for the school picker. Never used to authorize."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="school_accesses")
    school = models.ForeignKey("tenancy.School", on_delete=models.CASCADE, related_name="+")
    # Copies of the membership's roles and national profiles in that school, for the picker, the
    # second-factor rule and the CAS attributes (ENTPersonProfils is per structure).
    roles = models.JSONField(default=list, db_default=[], blank=True)
    profiles = models.JSONField(default=list, db_default=[], blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "school"], name="schoolaccess_unique")]

    def __str__(self) -> str:
        return f"{self.account} → {self.school}"


class CasUserAttribute(models.TextChoices):
    UID = "uid", "Identifiant opaque"
    LOGIN = "ENTPersonLogin", "Identifiant de connexion"
    JOINTURE = "ENTPersonJointure", "Clé de jointure AAF"


class CasServiceRelease(models.Model):
    """How a catalogue service of kind "cas" may use our CAS server: allowed URLs and released attributes."""

    service = models.OneToOneField("catalogue.Service", on_delete=models.CASCADE, related_name="cas_release")
    # A regular expression every service URL of this service must match (anchored with ^).
    url_pattern = models.CharField(max_length=250)
    user_attribute = models.CharField(
        max_length=30, choices=CasUserAttribute.choices, default=CasUserAttribute.UID
    )
    attributes = models.JSONField(default=list, blank=True)
    single_logout = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(url_pattern__startswith="^"), name="casservicerelease_pattern_anchored"
            )
        ]

    def __str__(self) -> str:
        return f"CAS : {self.service}"
