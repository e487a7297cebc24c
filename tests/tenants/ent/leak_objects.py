"""Objects of the portal for the leak matrix (tests/leak_matrix.py)."""

from __future__ import annotations

from typing import Any

from tenants.directory.models import Role
from tenants.ent.models import Notification
from tenants.ent.services import notifications_publish
from tests.leak_matrix import SecretObject, register_objects
from tests.tenants.directory.factories import make_person


def _notification(school: Any) -> SecretObject:
    owner = make_person(roles=[Role.STUDENT])
    notifications_publish(
        recipient_ids=[owner.pk], kind="news", title="FUITE-notification", source_key="fuite:1"
    )
    return SecretObject(Notification.objects.get(source_key="fuite:1").pk, "FUITE-notification")


register_objects("notification_id", _notification)
