from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class ClassOut(Schema):
    id: int
    code: str
    label: str


class PersonOut(Schema):
    id: int
    display_name: str
    roles: list[str]
    school_class: ClassOut | None = None

    @staticmethod
    def resolve_school_class(person: object) -> object:
        membership = getattr(person, "class_membership", None)
        return getattr(membership, "school_class", None)


class ProfileOut(Schema):
    person: PersonOut
    school_class: ClassOut | None
    children: list[PersonOut]
    classes_taught: list[ClassOut]


class AuditEventOut(Schema):
    at: datetime
    actor_label: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    ip: str | None


class EraseIn(Schema):
    reason: str = Field(min_length=3, max_length=300)


class EraseOut(Schema):
    erased: dict[str, int]
