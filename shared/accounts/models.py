from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class AccountManager(BaseUserManager["Account"]):
    def create_user(self, username: str, password: str | None = None, **fields: object) -> Account:
        account = self.model(username=username, **fields)
        account.set_password(password)
        account.save(using=self._db)
        return account


class Account(AbstractBaseUser):
    """One human, one account, across every school where they study, teach or have children."""

    username = models.CharField(max_length=150, unique=True)
    # Natural keys from the académie directory (AAF): the join key, and the INE for pupils.
    aaf_jointure = models.CharField(max_length=64, unique=True, null=True, blank=True)
    ine = models.CharField(max_length=11, unique=True, null=True, blank=True)
    email = models.EmailField(blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)

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

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "school"], name="schoolaccess_unique")]

    def __str__(self) -> str:
        return f"{self.account} → {self.school}"
