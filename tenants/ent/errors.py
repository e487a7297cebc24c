from __future__ import annotations

from mbn.errors import DomainError


class NotificationNotFound(DomainError):
    code = "notification_not_found"
    status = 404
    message = "Cette notification est introuvable."
