from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from shared.catalogue import errors, registry
from shared.catalogue.models import Establishment
from shared.catalogue.services import region_load
from shared.collectivites.models import Collectivite
from shared.tenancy import errors as tenancy_errors
from shared.tenancy import services as tenancy_services
from shared.tenancy.models import School


def _a_college(uai: str, owner_code: str) -> registry.Establishment:
    """A new collège of Moselle with this UAI and owner."""
    model = next(e for e in registry.generate_registry() if e.owner_code == "D57")
    return dataclasses.replace(model, uai=uai, name=f"Collège {uai}", owner_code=owner_code)


def test_loading_twice_changes_nothing(provisioned_schools: Any, db: Any) -> None:
    # given the region loaded by the session fixtures
    before = Establishment.objects.count()
    # when it is loaded again
    report = region_load()
    # then every establishment is unchanged
    assert before == registry.REGISTRY_SIZE
    assert (report.created, report.updated, report.unchanged) == (0, 0, registry.REGISTRY_SIZE)
    assert Collectivite.objects.count() == 10


def test_a_college_assigned_to_the_region_is_refused_and_nothing_is_written(
    provisioned_schools: Any, db: Any
) -> None:
    # given a new collège wrongly owned by the Région, after a valid new one
    valid = _a_college("0579990Z", "D57")
    wrong = _a_college("0579991A", "REGION-GE")
    # when loaded
    with pytest.raises(errors.WrongOwner) as caught:
        region_load(establishments=[valid, wrong])
    # then a clear French error, and not even the valid one was written
    assert caught.value.code == "wrong_owner"
    assert "Région" in caught.value.message
    assert not Establishment.objects.filter(uai__in=["0579990Z", "0579991A"]).exists()


def test_an_unknown_collectivite_is_refused(provisioned_schools: Any, db: Any) -> None:
    stray = _a_college("0579992B", "D99")
    with pytest.raises(errors.UnknownCollectivite) as caught:
        region_load(establishments=[stray])
    assert caught.value.code == "unknown_collectivite"
    assert not Establishment.objects.filter(uai="0579992B").exists()


def test_a_school_slug_clash_is_refused_and_nothing_is_written(provisioned_schools: Any, db: Any) -> None:
    # given a school row already using the slug the next establishment would get
    target = Establishment.objects.filter(school__isnull=True).order_by("uai").first()
    assert target is not None
    other = School.objects.filter(is_template=False).first()
    assert other is not None
    School.objects.filter(pk=other.pk).update(slug=target.uai.lower())
    before = School.objects.count()
    # when that establishment is planned
    with pytest.raises(tenancy_errors.SlugTaken) as caught:
        tenancy_services.school_plan(uais=[target.uai])
    # then refused with the stable code, nothing added
    assert caught.value.code == "school_slug_taken"
    assert School.objects.count() == before
