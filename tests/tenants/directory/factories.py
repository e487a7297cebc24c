from __future__ import annotations

from typing import cast

import factory

from tenants.directory.models import Person, Role
from tests.shared.accounts.factories import AccountFactory


class PersonFactory(factory.django.DjangoModelFactory):
    """A member of the current school (use inside `school.active()`)."""

    class Meta:
        model = Person

    account = factory.SubFactory(AccountFactory)
    display_name = factory.LazyAttribute(lambda person: str(person.account))
    roles = factory.LazyFunction(lambda: [Role.STUDENT])


def DirectionFactory(**kwargs: object) -> Person:
    return make_person(roles=[Role.DIRECTION], **kwargs)


def StudentFactory(**kwargs: object) -> Person:
    return make_person(roles=[Role.STUDENT], **kwargs)


def TeacherFactory(**kwargs: object) -> Person:
    return make_person(roles=[Role.TEACHER], **kwargs)


def make_person(**kwargs: object) -> Person:
    """A member of the current school, typed (factory_boy's calls are not)."""
    return cast(Person, PersonFactory(**kwargs))
