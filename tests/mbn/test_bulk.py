"""mbn.bulk: array-parameter inserts and updates, in the caller's schema and transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from mbn.bulk import bulk_insert_rows, bulk_update_rows
from shared.accounts.models import SchoolAccess
from tenants.directory.models import Person, TeachingGroup
from tests.conftest import SchoolHandle
from tests.shared.accounts.factories import account_make


def test_insert_lands_in_the_current_school_only_and_returns_ids_in_order(
    school_a: SchoolHandle, school_b: SchoolHandle
) -> None:
    # given codes that exist nowhere yet, and a group of B's own
    codes = [f"BULK-{n:02d}" for n in range(7)]
    with school_b.active():
        TeachingGroup.objects.create(code="BULK-B-OWN", label="groupe de B")

    # when they are inserted from school A, in batches smaller than the rows
    with school_a.active():
        returned = bulk_insert_rows(
            TeachingGroup,
            ("code", "label"),
            [(code, f"Groupe {code}") for code in codes],
            returning=("id", "code"),
            batch_size=3,
        )
        in_a = dict(TeachingGroup.objects.filter(code__startswith="BULK-").values_list("pk", "code"))

    # then A holds exactly them, the ids come back in the order of the rows, and B only has its own group
    assert [code for _, code in returned] == codes
    assert {pk: in_a[pk] for pk, _ in returned} == dict(returned)
    assert sorted(in_a.values()) == codes
    with school_b.active():
        in_b = list(TeachingGroup.objects.filter(code__startswith="BULK-").values_list("code", flat=True))
    assert in_b == ["BULK-B-OWN"]


def test_a_constraint_violation_rolls_back_the_callers_transaction(school_a: SchoolHandle) -> None:
    # given a transaction that inserts a group, then a second batch repeating its code
    def insert_twice() -> None:
        with transaction.atomic():
            bulk_insert_rows(TeachingGroup, ("code", "label"), [("BULK-DUP", "premier")])
            bulk_insert_rows(
                TeachingGroup, ("code", "label"), [("BULK-OK", "autre"), ("BULK-DUP", "doublon")]
            )

    with school_a.active():
        # when it runs
        with pytest.raises(IntegrityError):
            insert_twice()

        # then nothing of the transaction is left
        assert not TeachingGroup.objects.filter(code__startswith="BULK-").exists()


def test_arrays_json_defaults_and_upserts_round_trip(school_a: SchoolHandle) -> None:
    # given two accounts, one already indexed in A
    first, second = account_make(username="bulk-un"), account_make(username="bulk-deux")
    SchoolAccess.objects.create(account=first, school=school_a.school, roles=["student"], profiles=[])

    # when people with arrays (quotes, backslashes, NULL) are inserted, updated, and the accesses upserted
    with school_a.active():
        ids = bulk_insert_rows(
            Person,
            ("account_id", "display_name", "roles", "functions"),
            [
                (first.pk, 'Élève "un"', ["student"], ['a"b', "c\\d", None]),
                (second.pk, "Parent deux", ["guardian", "teacher"], []),
            ],
            returning=("id",),
        )
        people = {p.account_id: p for p in Person.objects.filter(pk__in=[pk for (pk,) in ids])}
        people[second.pk].roles = ["guardian"]
        people[second.pk].is_active = False
        updated = bulk_update_rows([people[second.pk]], ["roles", "is_active"])
        people[second.pk].refresh_from_db()
    bulk_insert_rows(
        SchoolAccess,
        ("account_id", "school_id", "roles", "profiles"),
        [
            (first.pk, school_a.school.pk, ["teacher"], ["National_ENS"]),
            (second.pk, school_a.school.pk, [], []),
        ],
        unique_fields=("account", "school"),
        update_fields=("roles", "profiles", "updated_at"),
    )

    # then every value comes back as written, defaults filled, and one access per account with the new roles
    one = people[first.pk]
    assert (one.display_name, one.roles, one.functions, one.profiles) == (
        'Élève "un"',
        ["student"],
        ['a"b', "c\\d", None],
        [],
    )
    assert one.is_active
    assert one.created_at is not None
    assert updated == 1
    assert (people[second.pk].roles, people[second.pk].is_active) == (["guardian"], False)
    accesses: dict[Any, Any] = dict(
        SchoolAccess.objects.filter(account__in=[first, second]).values_list("account_id", "roles")
    )
    assert accesses == {first.pk: ["teacher"], second.pk: []}
