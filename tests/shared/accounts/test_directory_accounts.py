"""Accounts fed by the AAF (shared/accounts/services.py: accounts_upsert_from_directory and friends)."""

from __future__ import annotations

from typing import Any

from shared.accounts.models import Account, SchoolAccess
from shared.accounts.services import (
    DirectoryIdentity,
    account_upsert_from_directory,
    accounts_upsert_from_directory,
    school_accesses_add,
    school_accesses_remove,
)


def test_a_new_key_creates_an_account_that_cannot_log_in_yet(db: Any) -> None:
    # when a directory person arrives for the first time
    result = account_upsert_from_directory(
        identity=DirectoryIdentity(
            key="REIMS-1500042", first_name="PAUL", last_name="DURAND", email="p@ex.org"
        )
    )

    # then one account keyed by the namespaced jointure, without a usable password
    account = Account.objects.get(pk=result.account_id)
    assert result.created
    assert not result.merged
    assert (account.aaf_jointure, account.username, account.email) == (
        "REIMS-1500042",
        "reims-1500042",
        "p@ex.org",
    )
    assert not account.has_usable_password()
    assert result.display_name == "PAUL DURAND"


def test_the_same_key_again_updates_names_and_never_duplicates(db: Any) -> None:
    # given an account from a first run
    first = account_upsert_from_directory(
        identity=DirectoryIdentity(key="REIMS-1", first_name="A", last_name="B")
    )

    # when the key comes back with a new name, then as a bare link (no names)
    renamed = account_upsert_from_directory(
        identity=DirectoryIdentity(key="REIMS-1", first_name="A", last_name="C")
    )
    linked = account_upsert_from_directory(identity=DirectoryIdentity(key="REIMS-1", update_identity=False))

    # then still one account, renamed, and the bare link blanked nothing
    assert first.account_id == renamed.account_id == linked.account_id
    assert not renamed.created
    assert Account.objects.get(pk=first.account_id).last_name == "C"
    assert Account.objects.filter(aaf_jointure="REIMS-1").count() == 1


def test_a_known_ine_under_a_new_key_is_the_same_account(db: Any) -> None:
    # given a pupil imported by Reims
    reims = account_upsert_from_directory(
        identity=DirectoryIdentity(
            key="REIMS-3100001", ine="070123456AB", first_name="LEA", last_name="MARTIN"
        )
    )

    # when Strasbourg sends them under its own jointure, and a batch repeats an unknown INE twice
    strasbourg = account_upsert_from_directory(
        identity=DirectoryIdentity(
            key="STRASBOURG-3900001", ine="070123456AB", first_name="LEA", last_name="MARTIN"
        )
    )
    twins = accounts_upsert_from_directory(
        identities=[
            DirectoryIdentity(key="REIMS-3100007", ine="070999999ZZ", last_name="X"),
            DirectoryIdentity(key="REIMS-3100008", ine="070999999ZZ", last_name="X"),
        ]
    )

    # then one account each time: merged, never a second account with the same INE
    assert strasbourg.account_id == reims.account_id
    assert strasbourg.merged
    assert twins[0].account_id == twins[1].account_id
    assert twins[0].created
    assert twins[1].merged
    assert Account.objects.filter(ine="070999999ZZ").count() == 1


def test_a_known_account_id_wins_over_the_key(db: Any) -> None:
    # given an account reached through an alias key
    account = account_upsert_from_directory(identity=DirectoryIdentity(key="REIMS-5", last_name="Y"))

    # when a delta line names it by another key with its account id known
    again = account_upsert_from_directory(
        identity=DirectoryIdentity(key="REIMS-6", update_identity=False, account_id=account.account_id)
    )

    # then no new account
    assert again.account_id == account.account_id
    assert not again.created
    assert not Account.objects.filter(aaf_jointure="REIMS-6").exists()


def test_school_accesses_are_indexed_and_removed_in_bulk(school_a: Any) -> None:
    # given a directory account
    account = account_upsert_from_directory(identity=DirectoryIdentity(key="REIMS-9", last_name="Z"))

    # when indexed in school A twice (roles changed), then removed
    school_accesses_add(entries=[(account.account_id, school_a.school.pk, ["student"], ["National_ELV"])])
    school_accesses_add(entries=[(account.account_id, school_a.school.pk, ["teacher"], ["National_ENS"])])
    indexed = list(SchoolAccess.objects.filter(account_id=account.account_id).values_list("roles", flat=True))
    school_accesses_remove(school_id=school_a.school.pk, account_ids=[account.account_id])

    # then one row with the latest roles, then none
    assert indexed == [["teacher"]]
    assert not SchoolAccess.objects.filter(account_id=account.account_id).exists()
