from __future__ import annotations

import factory

from tests.shared.accounts.factories import AccountFactory
from tenants.directory.models import Person, Role


class PersonFactory(factory.django.DjangoModelFactory):
    """A member of the current school (use inside `school.active()`)."""

    class Meta:
        model = Person

    account = factory.SubFactory(AccountFactory)
    display_name = factory.LazyAttribute(lambda person: str(person.account))
    roles = factory.LazyFunction(lambda: [Role.STUDENT])


def DirectionFactory(**kwargs: object) -> Person:  # noqa: N802 - reads like the other factories
    return PersonFactory(roles=[Role.DIRECTION], **kwargs)


def StudentFactory(**kwargs: object) -> Person:  # noqa: N802
    return PersonFactory(roles=[Role.STUDENT], **kwargs)


def TeacherFactory(**kwargs: object) -> Person:  # noqa: N802
    return PersonFactory(roles=[Role.TEACHER], **kwargs)
