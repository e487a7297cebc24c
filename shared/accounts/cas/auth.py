"""The authentication class django-cas-server asks for passwords and attributes (CAS_AUTH_CLASS)."""

from __future__ import annotations

from typing import Any

from cas_server.auth import AuthUser

from shared.accounts.models import Account
from shared.accounts.selectors import cas_attributes_for


class AccountAuth(AuthUser):  # type: ignore[misc]  # untyped library base class
    """An active `Account` by username; the password check itself goes through Django's backends."""

    def __init__(self, username: str) -> None:
        self.account = Account.objects.filter(username=username, is_active=True).first()
        super().__init__(username)

    def test_password(self, password: str) -> bool:
        # Only the login form checks passwords, through `authenticate()` so that lockout applies.
        return self.account is not None and self.account.check_password(password)

    def attributs(self) -> dict[str, Any]:
        return cas_attributes_for(account=self.account) if self.account is not None else {}
