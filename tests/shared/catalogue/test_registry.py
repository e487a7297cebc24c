import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from shared.catalogue.registry import (
    COLLECTIVITES,
    DEPARTEMENTS,
    LYCEE_KINDS,
    Academie,
    Establishment,
    EstablishmentKind,
    InvalidUai,
    Sector,
    demo_selection,
    departement_get,
    generate_registry,
    owner_code_for,
    uai_check_letter,
    uai_is_valid,
    uai_normalize,
    uai_validate,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
REGISTRY = generate_registry()  # pure and immutable: built once for the whole module


# --- UAI


def test_check_letter_of_the_handbook_uais() -> None:
    # given the 7-digit parts of the two UAIs quoted in the AAF handbook
    # when their check letters are computed
    letters = (uai_check_letter("0679901"), uai_check_letter("0689901"))
    # then they are the handbook's letters
    assert letters == ("Y", "T")


def test_handbook_uais_are_valid() -> None:
    # given / when / then
    assert uai_is_valid("0679901Y")
    assert uai_is_valid("0689901T")


def test_wrong_check_letter_is_invalid() -> None:
    # given a well-shaped UAI whose letter is not the expected Y
    # when / then
    assert not uai_is_valid("0679901A")


@pytest.mark.parametrize(
    "uai",
    [
        "",
        "067990Y",  # 6 digits
        "06799011Y",  # 8 digits
        "0679901",  # no letter
        "067990AY",  # letter among the digits
        "0679901y",  # not canonical: normalize first
        " 0679901Y",
        "0679901-",
        "٠٦٧٩٩٠١Y",  # Arabic-Indic digits: int() accepts them, the UAI format does not
        "０６７９９０１Y",  # full-width digits
    ],
)
def test_badly_shaped_uai_is_invalid(uai: str) -> None:
    # given / when / then
    assert not uai_is_valid(uai)


def test_validate_explains_the_expected_check_letter_in_french() -> None:
    # given a UAI with a wrong check letter
    # when it is validated
    with pytest.raises(InvalidUai) as raised:
        uai_validate("0679901A")
    # then the French message names the input and the letter it should have
    assert str(raised.value) == (
        "Le code UAI « 0679901A » est invalide : la lettre de contrôle devrait être « Y »."
    )
    assert raised.value.message == str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_validate_explains_a_wrong_length() -> None:
    # given a UAI one digit short
    # when / then
    with pytest.raises(
        InvalidUai, match=r"^Le code UAI « 067990Y » est invalide : il doit comporter 8 caractères"
    ):
        uai_validate("067990Y")


def test_validate_returns_a_valid_uai_unchanged() -> None:
    # given / when / then
    assert uai_validate("0689901T") == "0689901T"


def test_check_letter_refuses_anything_but_seven_digits() -> None:
    # given / when / then
    with pytest.raises(InvalidUai):
        uai_check_letter("067990A")
    with pytest.raises(InvalidUai):
        uai_check_letter("06799011")
    with pytest.raises(InvalidUai):
        uai_check_letter("٠٦٧٩٩٠١")  # Arabic-Indic digits, which int() would happily read


def test_normalize_strips_and_upper_cases() -> None:
    # given a UAI as typed in a form
    # when it is normalized
    normalized = uai_normalize("  0679901y\n")
    # then it is canonical and valid
    assert normalized == "0679901Y"
    assert uai_is_valid(normalized)


# --- reference data


def test_the_ten_departements_and_their_academies() -> None:
    # given / when
    academies = {d.code: d.academie for d in DEPARTEMENTS}
    # then
    assert academies == {
        "08": Academie.REIMS,
        "10": Academie.REIMS,
        "51": Academie.REIMS,
        "52": Academie.REIMS,
        "54": Academie.NANCY_METZ,
        "55": Academie.NANCY_METZ,
        "57": Academie.NANCY_METZ,
        "88": Academie.NANCY_METZ,
        "67": Academie.STRASBOURG,
        "68": Academie.STRASBOURG,
    }
    assert departement_get("57").name == "Moselle"
    assert all(d.prefecture in {c.name for c in d.communes} for d in DEPARTEMENTS)


def test_the_ten_collectivites() -> None:
    # given / when
    codes = [c.code for c in COLLECTIVITES]
    # then
    assert sorted(codes) == sorted(
        ["REGION-GE", "D08", "D10", "D51", "D52", "D54", "D55", "D57", "D88", "CEA"]
    )
    assert len(set(codes)) == 10


@pytest.mark.parametrize(
    ("kind", "departement_code", "owner_code"),
    [
        (EstablishmentKind.COLLEGE, "08", "D08"),
        (EstablishmentKind.COLLEGE, "57", "D57"),
        (EstablishmentKind.COLLEGE, "67", "CEA"),
        (EstablishmentKind.COLLEGE, "68", "CEA"),
        (EstablishmentKind.LYCEE_GT, "67", "REGION-GE"),
        (EstablishmentKind.LYCEE_POLY, "52", "REGION-GE"),
        (EstablishmentKind.LYCEE_PRO, "88", "REGION-GE"),
        (EstablishmentKind.EREA, "68", "REGION-GE"),
        ("college", "10", "D10"),
    ],
)
def test_owner_code_for(kind: str, departement_code: str, owner_code: str) -> None:
    # given / when / then
    assert owner_code_for(kind, departement_code) == owner_code


def test_owner_code_for_refuses_unknown_departement_and_kind() -> None:
    # given / when / then
    with pytest.raises(ValueError, match="ne fait pas partie du Grand Est"):
        owner_code_for(EstablishmentKind.COLLEGE, "75")
    with pytest.raises(ValueError, match="est inconnu"):
        owner_code_for("ecole", "57")


def test_kind_and_sector_labels_are_french() -> None:
    # given / when / then
    assert EstablishmentKind.LYCEE_GT.label == "Lycée général et technologique"
    assert EstablishmentKind.LYCEE_PRO.label == "Lycée professionnel"
    assert Sector.PRIVE_SOUS_CONTRAT.label == "Privé sous contrat"


def test_establishment_refuses_a_uai_of_another_departement() -> None:
    # given a Bas-Rhin UAI declared in Haut-Rhin
    # when / then
    with pytest.raises(ValueError, match="does not belong"):
        Establishment(
            uai="0679901Y",
            name="Collège Test",
            kind=EstablishmentKind.COLLEGE,
            sector=Sector.PUBLIC,
            commune="Colmar",
            departement_code="68",
            academie=Academie.STRASBOURG,
            owner_code="CEA",
            pupil_count=400,
        )


# --- registry


def test_registry_has_857_establishments_with_unique_valid_uais_and_slugs() -> None:
    # given the default registry
    # when its identifiers are collected
    uais = [e.uai for e in REGISTRY]
    slugs = [e.slug for e in REGISTRY]
    # then
    assert len(REGISTRY) == 857
    assert len(set(uais)) == 857
    assert len(set(slugs)) == 857
    assert all(uai_is_valid(uai) for uai in uais)
    assert all(e.slug == e.uai.lower() for e in REGISTRY)
    assert not any(uai[3:5] == "99" for uai in uais)  # 99xx stays free for hand-written fixtures


def test_registry_uai_prefix_commune_and_academie_match_the_departement() -> None:
    # given / when
    mismatched = [
        e
        for e in REGISTRY
        if e.uai[:3] != "0" + e.departement_code
        or e.academie != departement_get(e.departement_code).academie
        or e.commune not in {c.name for c in departement_get(e.departement_code).communes}
    ]
    # then
    assert mismatched == []


def test_registry_follows_the_ownership_rule() -> None:
    # given / when
    owners_by_kind = Counter((e.kind, e.owner_code) for e in REGISTRY)
    # then no collège belongs to the Région and no lycée or EREA to a département or the CeA
    assert not [e for e in REGISTRY if e.owner_code != owner_code_for(e.kind, e.departement_code)]
    assert owners_by_kind[(EstablishmentKind.COLLEGE, "REGION-GE")] == 0
    assert all(
        owner == "REGION-GE" for (kind, owner) in owners_by_kind if kind is not EstablishmentKind.COLLEGE
    )
    alsace_colleges = [
        e for e in REGISTRY if e.kind is EstablishmentKind.COLLEGE and e.departement_code in ("67", "68")
    ]
    assert alsace_colleges
    assert {e.owner_code for e in alsace_colleges} == {"CEA"}
    other_colleges = [
        e for e in REGISTRY if e.kind is EstablishmentKind.COLLEGE and e.departement_code not in ("67", "68")
    ]
    assert all(e.owner_code == f"D{e.departement_code}" for e in other_colleges)


def test_registry_proportions_per_kind_and_sector() -> None:
    # given / when
    kinds = Counter(e.kind for e in REGISTRY)
    private_count = sum(1 for e in REGISTRY if e.sector is Sector.PRIVE_SOUS_CONTRAT)
    # then
    assert 0.58 <= kinds[EstablishmentKind.COLLEGE] / 857 <= 0.66
    assert 0.19 <= (kinds[EstablishmentKind.LYCEE_GT] + kinds[EstablishmentKind.LYCEE_POLY]) / 857 <= 0.25
    assert kinds[EstablishmentKind.LYCEE_GT] > 0
    assert kinds[EstablishmentKind.LYCEE_POLY] > 0
    assert 0.11 <= kinds[EstablishmentKind.LYCEE_PRO] / 857 <= 0.17
    assert 1 <= kinds[EstablishmentKind.EREA] <= 20
    assert 0.12 <= private_count / 857 <= 0.18
    assert all(e.sector is Sector.PUBLIC for e in REGISTRY if e.kind is EstablishmentKind.EREA)


def test_registry_spread_follows_population() -> None:
    # given / when
    per_departement = Counter(e.departement_code for e in REGISTRY)
    largest_five = {code for code, _ in per_departement.most_common(5)}
    # then the five most populated départements have the most schools, and each has collèges and lycées
    assert largest_five == {"67", "57", "68", "54", "51"}
    for departement in DEPARTEMENTS:
        kinds_here = {e.kind for e in REGISTRY if e.departement_code == departement.code}
        assert EstablishmentKind.COLLEGE in kinds_here
        assert kinds_here & set(LYCEE_KINDS)
    # and every listed commune has at least one school, the préfectures more than one
    communes = Counter((e.departement_code, e.commune) for e in REGISTRY)
    assert all(communes[(d.code, c.name)] >= 1 for d in DEPARTEMENTS for c in d.communes)
    assert all(communes[(d.code, d.prefecture)] >= 2 for d in DEPARTEMENTS)


def test_registry_pupil_counts_stay_in_range_and_sum_to_about_443000() -> None:
    # given the ranges per kind
    ranges = {
        EstablishmentKind.COLLEGE: (250, 900),
        EstablishmentKind.LYCEE_GT: (500, 2000),
        EstablishmentKind.LYCEE_POLY: (500, 2000),
        EstablishmentKind.LYCEE_PRO: (200, 800),
        EstablishmentKind.EREA: (80, 200),
    }
    # when / then, for the default seed and another one
    for registry in (REGISTRY, generate_registry(seed=7)):
        out_of_range = [e for e in registry if not ranges[e.kind][0] <= e.pupil_count <= ranges[e.kind][1]]
        assert out_of_range == []
        assert abs(sum(e.pupil_count for e in registry) - 443_000) <= 443_000 * 0.03


@pytest.mark.parametrize("seed", [1, 7, 2026, 31337])
def test_registry_pupil_total_is_scaled_onto_the_target(seed: int) -> None:
    # given / when
    total = sum(e.pupil_count for e in generate_registry(seed=seed))
    # then the scaling lands far closer than the ±3 % promised (raw draws alone miss by thousands)
    assert abs(total - 443_000) <= 443


def test_registry_names_are_unique_within_a_commune_and_say_what_the_school_is() -> None:
    # given / when
    names = Counter((e.departement_code, e.commune, e.name) for e in REGISTRY)
    prefixes = {
        EstablishmentKind.COLLEGE: "Collège ",
        EstablishmentKind.LYCEE_GT: "Lycée ",
        EstablishmentKind.LYCEE_POLY: "Lycée polyvalent ",
        EstablishmentKind.LYCEE_PRO: "Lycée professionnel ",
        EstablishmentKind.EREA: "EREA ",
    }
    # then
    assert [key for key, count in names.items() if count > 1] == []
    assert all(e.name.startswith(prefixes[e.kind]) for e in REGISTRY)
    assert all((" privé " in e.name) == (e.sector is Sector.PRIVE_SOUS_CONTRAT) for e in REGISTRY)
    assert len({e.name for e in REGISTRY}) > 300  # varied, not one name per kind


def test_registry_is_deterministic_per_seed() -> None:
    # given / when
    again = generate_registry(seed=2026)
    other_seed = generate_registry(seed=2027)
    # then
    assert again == REGISTRY
    assert other_seed != REGISTRY
    assert {e.uai for e in other_seed} != {e.uai for e in REGISTRY}


def test_registry_does_not_depend_on_hash_randomization() -> None:
    # given two interpreters with different string hash seeds
    script = (
        "import hashlib; from shared.catalogue.registry import generate_registry, demo_selection; "
        "r = generate_registry(); print(hashlib.sha256(repr((r, demo_selection(r))).encode()).hexdigest())"
    )
    digests = []
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO_ROOT)}
        # when each builds the registry
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
        )
        digests.append(result.stdout.strip())
    # then both get exactly this process's registry
    expected = hashlib.sha256(repr((REGISTRY, demo_selection(REGISTRY))).encode()).hexdigest()
    assert digests == [expected, expected]


# --- demo selection


def test_demo_selection_covers_every_collectivite_plus_a_lycee_gt_and_a_lp() -> None:
    # given / when
    selection = demo_selection(REGISTRY)
    # then
    assert len(selection) == 12
    assert len({e.uai for e in selection}) == 12
    assert {e.owner_code for e in selection} == {c.code for c in COLLECTIVITES}
    kinds = Counter(e.kind for e in selection)
    assert kinds[EstablishmentKind.COLLEGE] == 9
    assert kinds[EstablishmentKind.LYCEE_GT] >= 1
    assert kinds[EstablishmentKind.LYCEE_PRO] >= 1
    assert {e.academie for e in selection} == set(Academie)
    assert set(selection) <= set(REGISTRY)


@pytest.mark.parametrize("count", [12, 20])
def test_demo_selection_is_stable_and_ignores_input_order(count: int) -> None:
    # given / when
    first = demo_selection(REGISTRY, count=count)
    second = demo_selection(tuple(reversed(REGISTRY)), count=count)
    # then
    assert first == second


@pytest.mark.parametrize("count", [10, 11, 20, 40])
def test_demo_selection_of_other_sizes_still_covers_every_collectivite(count: int) -> None:
    # given / when
    selection = demo_selection(REGISTRY, count=count)
    # then
    assert len(selection) == count
    assert len(set(selection)) == count
    assert {e.owner_code for e in selection} == {c.code for c in COLLECTIVITES}


def test_demo_selection_refuses_fewer_than_ten() -> None:
    # given / when / then
    with pytest.raises(ValueError, match="au moins 10"):
        demo_selection(REGISTRY, count=9)
