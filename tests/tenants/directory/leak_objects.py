"""Objects of the directory for the leak matrix (tests/leak_matrix.py)."""

from __future__ import annotations

from typing import Any

from tenants.directory.models import ClassMembership, Role, SchoolClass
from tests.leak_matrix import SecretObject, register_objects
from tests.tenants.directory.factories import make_person


def _student(school: Any) -> SecretObject:
    student = make_person(roles=[Role.STUDENT], display_name="FUITE-eleve")
    return SecretObject(student.pk, "FUITE-eleve")


def _class(school: Any) -> SecretObject:
    school_class = SchoolClass.objects.create(code="FUITE-3Z", label="FUITE-classe")
    ClassMembership.objects.create(
        student=make_person(roles=[Role.STUDENT], display_name="FUITE-eleve-de-classe"),
        school_class=school_class,
    )
    return SecretObject(school_class.pk, "FUITE-classe")


register_objects("student_id", _student)
register_objects("class_id", _class)
