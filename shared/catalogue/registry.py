"""Reference data of the Grand Est establishments: UAI rules, départements, collectivités, and a
deterministic synthetic registry of 857 collèges and lycées for demos, load tests and fixtures.

Pure Python on purpose (no Django import): usable without settings, from the CLI, load tests or data
migrations.
Enum values match the ``TextChoices`` of ``shared.catalogue.models`` and ``shared.collectivites.models``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

# ----------------------------------------------------------------------------------------------------------
# UAI (unité administrative immatriculée)
# ----------------------------------------------------------------------------------------------------------

# 23 letters: I, O and Q are left out because they read like 1, 0 and O.
UAI_CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_SEVEN_DIGITS = re.compile(r"[0-9]{7}")  # not \d: it also matches non-ASCII digits such as "٠"
_UAI_SHAPE = re.compile(r"[0-9]{7}[A-Z]")
_SHOWN_INPUT_MAX = 20  # a pasted paragraph must not end up verbatim in an error message


class InvalidUai(ValueError):
    """A UAI that fails the format or the check letter; ``message`` is shown to users as is."""

    def __init__(self, uai: str, reason: str) -> None:
        shown = uai if len(uai) <= _SHOWN_INPUT_MAX else uai[:_SHOWN_INPUT_MAX] + "…"
        self.uai = uai
        self.reason = reason
        self.message = f"Le code UAI « {shown} » est invalide : {reason}."
        super().__init__(self.message)


def uai_check_letter(seven: str) -> str:
    """Check letter of the 7-digit part of a UAI: the letter at (number mod 23)."""
    if not _SEVEN_DIGITS.fullmatch(seven):
        raise InvalidUai(seven, "la partie numérique doit comporter exactement 7 chiffres")
    return UAI_CHECK_LETTERS[int(seven) % len(UAI_CHECK_LETTERS)]


def uai_normalize(raw: str) -> str:
    """Canonical form of a typed UAI: surrounding blanks removed, upper case."""
    return raw.strip().upper()


def uai_validate(uai: str) -> str:
    """Return the UAI unchanged if it is canonical and valid, else raise ``InvalidUai`` saying why.

    Input typed by a user goes through ``uai_normalize`` first: a lower-case letter is refused here.
    """
    if len(uai) != 8:
        raise InvalidUai(uai, "il doit comporter 8 caractères, 7 chiffres suivis d'une lettre")
    if not _SEVEN_DIGITS.fullmatch(uai[:7]):
        raise InvalidUai(uai, "les 7 premiers caractères doivent être des chiffres")
    if not _UAI_SHAPE.fullmatch(uai):
        raise InvalidUai(uai, "le dernier caractère doit être une lettre majuscule")
    expected = uai_check_letter(uai[:7])
    if uai[7] != expected:
        raise InvalidUai(uai, f"la lettre de contrôle devrait être « {expected} »")
    return uai


def uai_is_valid(uai: str) -> bool:
    """True for a canonical UAI (7 ASCII digits + upper-case letter) whose check letter is right."""
    try:
        uai_validate(uai)
    except InvalidUai:
        return False
    return True


def uai_departement_code(uai: str) -> str:
    """Two-digit département code of a metropolitan UAI: "0679901Y" → "67"."""
    return uai_validate(uai)[1:3]


# ----------------------------------------------------------------------------------------------------------
# Enumerations (values identical to the Django TextChoices)
# ----------------------------------------------------------------------------------------------------------


class EstablishmentKind(StrEnum):
    COLLEGE = "college"
    LYCEE_GT = "lycee_gt"
    LYCEE_POLY = "lycee_poly"
    LYCEE_PRO = "lycee_pro"
    EREA = "erea"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS: MappingProxyType[EstablishmentKind, str] = MappingProxyType(
    {
        EstablishmentKind.COLLEGE: "Collège",
        EstablishmentKind.LYCEE_GT: "Lycée général et technologique",
        EstablishmentKind.LYCEE_POLY: "Lycée polyvalent",
        EstablishmentKind.LYCEE_PRO: "Lycée professionnel",
        EstablishmentKind.EREA: "EREA",
    }
)
ESTABLISHMENT_KIND_CHOICES: tuple[tuple[str, str], ...] = tuple((k.value, k.label) for k in EstablishmentKind)
LYCEE_KINDS = (EstablishmentKind.LYCEE_GT, EstablishmentKind.LYCEE_POLY, EstablishmentKind.LYCEE_PRO)


class Sector(StrEnum):
    PUBLIC = "public"
    PRIVE_SOUS_CONTRAT = "prive_sous_contrat"

    @property
    def label(self) -> str:
        return _SECTOR_LABELS[self]


_SECTOR_LABELS: MappingProxyType[Sector, str] = MappingProxyType(
    {Sector.PUBLIC: "Public", Sector.PRIVE_SOUS_CONTRAT: "Privé sous contrat"}
)
SECTOR_CHOICES: tuple[tuple[str, str], ...] = tuple((s.value, s.label) for s in Sector)


class Academie(StrEnum):
    NANCY_METZ = "Nancy-Metz"
    REIMS = "Reims"
    STRASBOURG = "Strasbourg"


class CollectiviteKind(StrEnum):
    REGION = "region"
    DEPARTEMENT = "departement"
    CEA = "cea"


# ----------------------------------------------------------------------------------------------------------
# Départements and collectivités
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commune:
    name: str
    population: int  # approximate municipal population; only weights how many schools it gets


@dataclass(frozen=True, slots=True)
class Departement:
    code: str  # two digits, as in the UAI after the leading 0
    name: str
    academie: Academie
    prefecture: str
    population: int  # approximate; spreads the registry across départements
    communes: tuple[Commune, ...]  # largest first


def _communes(*rows: tuple[str, int]) -> tuple[Commune, ...]:
    return tuple(Commune(name, population) for name, population in rows)


DEPARTEMENTS: tuple[Departement, ...] = (
    Departement(
        "08",
        "Ardennes",
        Academie.REIMS,
        "Charleville-Mézières",
        270_000,
        _communes(
            ("Charleville-Mézières", 46_000),
            ("Sedan", 16_000),
            ("Rethel", 7_600),
            ("Givet", 6_500),
            ("Revin", 6_000),
            ("Nouzonville", 5_800),
            ("Bogny-sur-Meuse", 5_000),
            ("Vouziers", 4_000),
            ("Fumay", 3_500),
            ("Carignan", 2_900),
            ("Monthermé", 2_400),
            ("Rocroi", 2_300),
            ("Signy-l'Abbaye", 1_300),
            ("Asfeld", 1_100),
        ),
    ),
    Departement(
        "10",
        "Aube",
        Academie.REIMS,
        "Troyes",
        310_000,
        _communes(
            ("Troyes", 62_000),
            ("Romilly-sur-Seine", 15_000),
            ("La Chapelle-Saint-Luc", 12_500),
            ("Saint-André-les-Vergers", 11_700),
            ("Sainte-Savine", 10_000),
            ("Saint-Julien-les-Villas", 7_000),
            ("Nogent-sur-Seine", 5_800),
            ("Bar-sur-Aube", 4_800),
            ("Bar-sur-Seine", 3_000),
            ("Brienne-le-Château", 3_000),
            ("Aix-Villemaur-Pâlis", 3_000),
            ("Arcis-sur-Aube", 2_800),
            ("Vendeuvre-sur-Barse", 2_300),
            ("Les Riceys", 1_300),
            ("Chaource", 1_100),
        ),
    ),
    Departement(
        "51",
        "Marne",
        Academie.REIMS,
        "Châlons-en-Champagne",
        566_000,
        _communes(
            ("Reims", 180_000),
            ("Châlons-en-Champagne", 44_000),
            ("Épernay", 22_000),
            ("Vitry-le-François", 12_000),
            ("Tinqueux", 10_000),
            ("Cormontreuil", 6_500),
            ("Aÿ-Champagne", 5_700),
            ("Saint-Memmie", 5_500),
            ("Sézanne", 5_000),
            ("Fismes", 5_000),
            ("Witry-lès-Reims", 5_000),
            ("Mourmelon-le-Grand", 4_500),
            ("Sainte-Menehould", 4_000),
            ("Montmirail", 3_600),
            ("Dormans", 2_800),
            ("Bazancourt", 2_100),
        ),
    ),
    Departement(
        "52",
        "Haute-Marne",
        Academie.REIMS,
        "Chaumont",
        172_000,
        _communes(
            ("Saint-Dizier", 24_000),
            ("Chaumont", 22_000),
            ("Langres", 7_600),
            ("Nogent", 3_800),
            ("Joinville", 3_000),
            ("Wassy", 2_800),
            ("Chalindrey", 2_400),
            ("Bourbonne-les-Bains", 2_000),
            ("Bologne", 2_000),
            ("Montier-en-Der", 2_000),
            ("Châteauvillain", 1_600),
            ("Fayl-Billot", 1_400),
        ),
    ),
    Departement(
        "54",
        "Meurthe-et-Moselle",
        Academie.NANCY_METZ,
        "Nancy",
        733_000,
        _communes(
            ("Nancy", 105_000),
            ("Vandœuvre-lès-Nancy", 29_000),
            ("Lunéville", 18_000),
            ("Toul", 15_500),
            ("Laxou", 14_500),
            ("Pont-à-Mousson", 14_500),
            ("Longwy", 14_500),
            ("Villers-lès-Nancy", 14_000),
            ("Saint-Max", 10_000),
            ("Villerupt", 9_800),
            ("Dombasle-sur-Meurthe", 9_500),
            ("Tomblaine", 8_500),
            ("Jarny", 8_300),
            ("Malzéville", 8_000),
            ("Val de Briey", 8_000),
            ("Neuves-Maisons", 7_000),
            ("Ludres", 6_200),
            ("Pompey", 5_000),
            ("Baccarat", 4_300),
            ("Blâmont", 1_100),
        ),
    ),
    Departement(
        "55",
        "Meuse",
        Academie.NANCY_METZ,
        "Bar-le-Duc",
        184_000,
        _communes(
            ("Verdun", 17_000),
            ("Bar-le-Duc", 15_000),
            ("Commercy", 5_500),
            ("Ligny-en-Barrois", 4_300),
            ("Saint-Mihiel", 4_000),
            ("Étain", 3_600),
            ("Thierville-sur-Meuse", 3_200),
            ("Revigny-sur-Ornain", 2_800),
            ("Stenay", 2_600),
            ("Montmédy", 2_200),
            ("Vaucouleurs", 2_000),
            ("Clermont-en-Argonne", 1_700),
        ),
    ),
    Departement(
        "57",
        "Moselle",
        Academie.NANCY_METZ,
        "Metz",
        1_047_000,
        _communes(
            ("Metz", 120_000),
            ("Thionville", 41_000),
            ("Montigny-lès-Metz", 21_500),
            ("Forbach", 21_000),
            ("Sarreguemines", 20_500),
            ("Yutz", 17_000),
            ("Hayange", 15_800),
            ("Saint-Avold", 15_500),
            ("Woippy", 14_000),
            ("Fameck", 14_000),
            ("Creutzwald", 12_500),
            ("Freyming-Merlebach", 12_500),
            ("Sarrebourg", 12_000),
            ("Florange", 12_000),
            ("Stiring-Wendel", 11_500),
            ("Hombourg-Haut", 6_500),
            ("Boulay-Moselle", 5_400),
            ("Bitche", 5_000),
            ("Dieuze", 2_700),
            ("Château-Salins", 2_300),
        ),
    ),
    Departement(
        "88",
        "Vosges",
        Academie.NANCY_METZ,
        "Épinal",
        364_000,
        _communes(
            ("Épinal", 31_500),
            ("Saint-Dié-des-Vosges", 19_500),
            ("Thaon-les-Vosges", 10_700),
            ("Golbey", 8_500),
            ("Gérardmer", 8_000),
            ("Remiremont", 7_600),
            ("Neufchâteau", 6_500),
            ("Raon-l'Étape", 6_300),
            ("Rambervillers", 5_100),
            ("Mirecourt", 5_100),
            ("Vittel", 5_000),
            ("Le Thillot", 3_500),
            ("Bruyères", 3_000),
            ("Senones", 2_400),
            ("Châtel-sur-Moselle", 1_700),
            ("Saint-Maurice-sur-Moselle", 1_400),
        ),
    ),
    Departement(
        "67",
        "Bas-Rhin",
        Academie.STRASBOURG,
        "Strasbourg",
        1_152_000,
        _communes(
            ("Strasbourg", 290_000),
            ("Haguenau", 35_000),
            ("Schiltigheim", 34_000),
            ("Illkirch-Graffenstaden", 27_000),
            ("Sélestat", 19_500),
            ("Lingolsheim", 19_000),
            ("Bischheim", 17_000),
            ("Bischwiller", 12_500),
            ("Ostwald", 12_500),
            ("Saverne", 11_500),
            ("Obernai", 11_500),
            ("Hoenheim", 11_500),
            ("Erstein", 11_000),
            ("Brumath", 10_000),
            ("Molsheim", 9_500),
            ("Wissembourg", 7_500),
            ("Barr", 7_200),
            ("Benfeld", 6_000),
            ("Sarre-Union", 3_000),
            ("Schirmeck", 2_300),
        ),
    ),
    Departement(
        "68",
        "Haut-Rhin",
        Academie.STRASBOURG,
        "Colmar",
        767_000,
        _communes(
            ("Mulhouse", 105_000),
            ("Colmar", 68_000),
            ("Saint-Louis", 22_000),
            ("Wittenheim", 14_700),
            ("Illzach", 14_600),
            ("Rixheim", 14_000),
            ("Kingersheim", 13_000),
            ("Riedisheim", 12_000),
            ("Cernay", 11_500),
            ("Guebwiller", 11_000),
            ("Thann", 7_800),
            ("Wintzenheim", 7_700),
            ("Ensisheim", 7_400),
            ("Altkirch", 5_800),
            ("Sainte-Marie-aux-Mines", 5_200),
            ("Ribeauvillé", 4_800),
            ("Munster", 4_700),
            ("Kaysersberg Vignoble", 4_700),
            ("Masevaux-Niederbruck", 3_800),
        ),
    ),
)
_DEPARTEMENTS_BY_CODE: MappingProxyType[str, Departement] = MappingProxyType(
    {d.code: d for d in DEPARTEMENTS}
)


def departement_get(code: str) -> Departement:
    """The Grand Est département with this two-digit code; ``ValueError`` for any other code."""
    try:
        return _DEPARTEMENTS_BY_CODE[code]
    except KeyError:
        raise ValueError(f"Le département « {code} » ne fait pas partie du Grand Est.") from None


@dataclass(frozen=True, slots=True)
class Collectivite:
    code: str
    name: str
    kind: CollectiviteKind
    departement_codes: tuple[str, ...]  # territory
    owned_kinds: tuple[
        EstablishmentKind, ...
    ]  # what it owns on that territory (Code de l'éducation L213/L214)


_REGION_KINDS = (*LYCEE_KINDS, EstablishmentKind.EREA)
_COLLEGE_ONLY = (EstablishmentKind.COLLEGE,)

COLLECTIVITES: tuple[Collectivite, ...] = (
    Collectivite(
        "REGION-GE",
        "Région Grand Est",
        CollectiviteKind.REGION,
        tuple(d.code for d in DEPARTEMENTS),
        _REGION_KINDS,
    ),
    Collectivite("D08", "Département des Ardennes", CollectiviteKind.DEPARTEMENT, ("08",), _COLLEGE_ONLY),
    Collectivite("D10", "Département de l'Aube", CollectiviteKind.DEPARTEMENT, ("10",), _COLLEGE_ONLY),
    Collectivite("D51", "Département de la Marne", CollectiviteKind.DEPARTEMENT, ("51",), _COLLEGE_ONLY),
    Collectivite(
        "D52", "Département de la Haute-Marne", CollectiviteKind.DEPARTEMENT, ("52",), _COLLEGE_ONLY
    ),
    Collectivite(
        "D54", "Département de Meurthe-et-Moselle", CollectiviteKind.DEPARTEMENT, ("54",), _COLLEGE_ONLY
    ),
    Collectivite("D55", "Département de la Meuse", CollectiviteKind.DEPARTEMENT, ("55",), _COLLEGE_ONLY),
    Collectivite("D57", "Département de la Moselle", CollectiviteKind.DEPARTEMENT, ("57",), _COLLEGE_ONLY),
    Collectivite("D88", "Département des Vosges", CollectiviteKind.DEPARTEMENT, ("88",), _COLLEGE_ONLY),
    # Since 2021 the CeA has replaced the Bas-Rhin and Haut-Rhin départements as owner of their collèges.
    Collectivite(
        "CEA", "Collectivité européenne d'Alsace", CollectiviteKind.CEA, ("67", "68"), _COLLEGE_ONLY
    ),
)
_COLLECTIVITES_BY_CODE: MappingProxyType[str, Collectivite] = MappingProxyType(
    {c.code: c for c in COLLECTIVITES}
)


def collectivite_get(code: str) -> Collectivite:
    """The collectivité with this code ("REGION-GE", "D08"…, "CEA"); ``ValueError`` otherwise."""
    try:
        return _COLLECTIVITES_BY_CODE[code]
    except KeyError:
        raise ValueError(f"La collectivité « {code} » est inconnue.") from None


# Derived from COLLECTIVITES so that the data and the rule cannot disagree.
_OWNER_BY_KIND_AND_DEPARTEMENT: MappingProxyType[tuple[EstablishmentKind, str], str] = MappingProxyType(
    {
        (kind, departement_code): collectivite.code
        for collectivite in COLLECTIVITES
        for departement_code in collectivite.departement_codes
        for kind in collectivite.owned_kinds
    }
)


def owner_code_for(kind: str, departement_code: str) -> str:
    """Code of the collectivité owning an establishment: lycées and EREA → the Région, collèges → their
    département, or the CeA in Bas-Rhin and Haut-Rhin."""
    departement = departement_get(departement_code)
    try:
        establishment_kind = EstablishmentKind(kind)
    except ValueError:
        raise ValueError(f"Le type d'établissement « {kind} » est inconnu.") from None
    return _OWNER_BY_KIND_AND_DEPARTEMENT[(establishment_kind, departement.code)]


# ----------------------------------------------------------------------------------------------------------
# Establishments
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Establishment:
    uai: str
    name: str
    kind: EstablishmentKind
    sector: Sector
    commune: str
    departement_code: str
    academie: Academie
    owner_code: str
    pupil_count: int

    def __post_init__(self) -> None:
        if uai_departement_code(self.uai) != self.departement_code:
            raise ValueError(f"UAI {self.uai} does not belong to département {self.departement_code}")

    @property
    def slug(self) -> str:
        """Host label of the school ("0679901y"): DNS is case-insensitive, so the lower-case UAI."""
        return self.uai.lower()


REGISTRY_SIZE = 857
REGISTRY_PUPIL_TARGET = 443_000

# National totals per kind; they add up to REGISTRY_SIZE (≈ 62.5 % collèges, 22.3 % lycées GT and
# polyvalents, 14.2 % LP, 8 EREA).
_KIND_TOTALS: MappingProxyType[EstablishmentKind, int] = MappingProxyType(
    {
        EstablishmentKind.COLLEGE: 536,
        EstablishmentKind.LYCEE_GT: 100,
        EstablishmentKind.LYCEE_POLY: 91,
        EstablishmentKind.LYCEE_PRO: 122,
        EstablishmentKind.EREA: 8,
    }
)
# Share of privé sous contrat per kind (≈ 15 % overall); EREA are all public.
_PRIVATE_SHARE: MappingProxyType[EstablishmentKind, float] = MappingProxyType(
    {
        EstablishmentKind.COLLEGE: 0.14,
        EstablishmentKind.LYCEE_GT: 0.17,
        EstablishmentKind.LYCEE_POLY: 0.16,
        EstablishmentKind.LYCEE_PRO: 0.18,
        EstablishmentKind.EREA: 0.0,
    }
)
# Pupil range and beta-distribution shape per kind: most schools are small, a few are big.
_PUPIL_RANGE: MappingProxyType[EstablishmentKind, tuple[int, int, float, float]] = MappingProxyType(
    {
        EstablishmentKind.COLLEGE: (250, 900, 2.0, 5.0),
        EstablishmentKind.LYCEE_GT: (500, 2000, 1.5, 5.0),
        EstablishmentKind.LYCEE_POLY: (500, 2000, 1.5, 5.0),
        EstablishmentKind.LYCEE_PRO: (200, 800, 2.0, 5.0),
        EstablishmentKind.EREA: (80, 200, 2.0, 2.0),
    }
)
# Collèges are spread thinly (every commune listed has one); lycées gather in the larger towns.
_COMMUNE_WEIGHT_EXPONENT_COLLEGE = 0.6
_COMMUNE_WEIGHT_EXPONENT_LYCEE = 0.9
# 99xx numbers are left to hand-written fixtures (the AAF handbook's 0679901Y, 0689901T).
_UAI_NUMBERS = range(1, 9900)

_NAME_PREFIX: MappingProxyType[tuple[EstablishmentKind, Sector], str] = MappingProxyType(
    {
        (EstablishmentKind.COLLEGE, Sector.PUBLIC): "Collège",
        (EstablishmentKind.COLLEGE, Sector.PRIVE_SOUS_CONTRAT): "Collège privé",
        (EstablishmentKind.LYCEE_GT, Sector.PUBLIC): "Lycée",
        (EstablishmentKind.LYCEE_GT, Sector.PRIVE_SOUS_CONTRAT): "Lycée privé",
        (EstablishmentKind.LYCEE_POLY, Sector.PUBLIC): "Lycée polyvalent",
        (EstablishmentKind.LYCEE_POLY, Sector.PRIVE_SOUS_CONTRAT): "Lycée polyvalent privé",
        (EstablishmentKind.LYCEE_PRO, Sector.PUBLIC): "Lycée professionnel",
        (EstablishmentKind.LYCEE_PRO, Sector.PRIVE_SOUS_CONTRAT): "Lycée professionnel privé",
        (EstablishmentKind.EREA, Sector.PUBLIC): "EREA",
    }
)

_NATIONAL_PATRONS: tuple[str, ...] = (
    "Jean Moulin",
    "Louis Pasteur",
    "Victor Hugo",
    "Jules Verne",
    "Marie Curie",
    "Pierre et Marie Curie",
    "Jean Jaurès",
    "Albert Camus",
    "Georges Brassens",
    "Jacques Prévert",
    "Paul Éluard",
    "Antoine de Saint-Exupéry",
    "Simone Veil",
    "Pierre Mendès France",
    "Charles de Gaulle",
    "Jean Monnet",
    "Paul Langevin",
    "Frédéric Joliot-Curie",
    "Irène Joliot-Curie",
    "Lucie Aubrac",
    "Germaine Tillion",
    "Rosa Parks",
    "Nelson Mandela",
    "Anne Frank",
    "Pablo Picasso",
    "Claude Monet",
    "Claude Debussy",
    "Maurice Ravel",
    "Hector Berlioz",
    "Louis Armand",
    "Jean Rostand",
    "Théodore Monod",
    "Condorcet",
    "Michel de Montaigne",
    "Voltaire",
    "Jean Racine",
    "Molière",
    "Émile Zola",
    "George Sand",
    "Colette",
    "Jean Zay",
    "Léon Blum",
    "Guy Môquet",
    "René Cassin",
    "Hélène Boucher",
    "Maryse Bastié",
    "Charles Péguy",
    "Guillaume Apollinaire",
    "Boris Vian",
    "Jean Cocteau",
    "Alexandre Dumas",
    "Stendhal",
    "Jean Giono",
    "Louis Aragon",
    "Elsa Triolet",
    "Romain Rolland",
    "Paul-Émile Victor",
    "Jacques-Yves Cousteau",
    "Haroun Tazieff",
    "Ambroise Paré",
    "Gustave Eiffel",
    "Jean de La Fontaine",
    "Françoise Dolto",
    "Joséphine Baker",
    "Olympe de Gouges",
    "Gisèle Halimi",
    "Jules Michelet",
    "Henri Wallon",
    "Marcel Pagnol",
    "Jean Macé",
    "Ferdinand Buisson",
    "Blaise Pascal",
    "René Descartes",
    "Antoine Lavoisier",
    "Jean Perrin",
    "Paul Valéry",
    "Charles Baudelaire",
    "Gérard Philipe",
    "Georges Pompidou",
    "Jean Mermoz",
    "Galilée",
    "Camille Saint-Saëns",
    "Auguste Rodin",
    "Paul Cézanne",
    "Édith Piaf",
    "Pierre de Coubertin",
)

_REGIONAL_PATRONS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "08": (
            "Arthur Rimbaud",
            "André Dhôtel",
            "Turenne",
            "Jean-Baptiste Clément",
            "Gaspard Monge",
            "Sévigné",
        ),
        "10": (
            "Chrétien de Troyes",
            "Gaston Bachelard",
            "Camille Claudel",
            "Édouard Herriot",
            "Georges Danton",
            "Auguste Renoir",
        ),
        "51": (
            "Jean-Baptiste Colbert",
            "Hugues Libergier",
            "Nicolas Appert",
            "Pierre Bayen",
            "Jean Talon",
            "Paul Fort",
            "Roger Caillois",
        ),
        "52": ("Denis Diderot", "Louise Michel", "Edmé Bouchardon", "Philippe Lebon", "Jean de Joinville"),
        "54": (
            "Henri Poincaré",
            "Jacques Callot",
            "Émile Gallé",
            "Jean Prouvé",
            "Victor Prouvé",
            "Marie Marvingt",
            "Jean Lamour",
        ),
        "55": ("Raymond Poincaré", "Jean-Auguste Margueritte", "Alain-Fournier", "Nicolas Oudinot"),
        "57": (
            "Paul Verlaine",
            "Robert Schuman",
            "Georges de La Tour",
            "Abraham Fabert",
            "Ambroise Thomas",
            "Jean-Victor Poncelet",
            "Gabriel Pierné",
            "Bernard-Marie Koltès",
        ),
        "88": (
            "Jules Ferry",
            "Jeanne d'Arc",
            "Claude Gellée",
            "Émile Durkheim",
            "Louis Lapicque",
            "Jules Méline",
            "Hubert Curien",
        ),
        "67": (
            "Albert Schweitzer",
            "Jean-Frédéric Oberlin",
            "Marc Bloch",
            "Louise Weiss",
            "Jean Sturm",
            "Fustel de Coulanges",
            "Tomi Ungerer",
            "Jean-Baptiste Kléber",
            "Gutenberg",
        ),
        "68": (
            "Auguste Bartholdi",
            "Alfred Kastler",
            "Jean-Jacques Waltz",
            "Camille Sée",
            "Théodore Deck",
            "Jean-Henri Lambert",
            "Alfred Dreyfus",
        ),
    }
)

# Place names carry their own article: "Collège du Val de Fensch", "Lycée professionnel de la Thur".
_REGIONAL_PLACES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "08": ("du Val de Meuse", "de la Thiérache", "de la Semoy", "des Crêtes préardennaises"),
        "10": ("de la Forêt d'Orient", "de la Côte des Bar", "du Pays d'Othe", "du Val de Seine"),
        "51": ("de la Montagne de Reims", "de la Côte des Blancs", "de la Vallée de la Marne", "du Perthois"),
        "52": ("du Plateau de Langres", "du Der", "du Val de Blaise", "du Bassigny"),
        "54": ("du Pays-Haut", "du Saintois", "de la Vezouze", "du Val de Meurthe"),
        "55": ("de l'Argonne", "des Côtes de Meuse", "de la Woëvre", "du Val d'Ornain"),
        "57": ("du Val de Fensch", "de la Seille", "de la Nied", "du Pays des Étangs", "du Warndt"),
        "88": ("des Hautes-Vosges", "de la Vologne", "du Xaintois", "de la Haute-Moselotte"),
        "67": ("du Kochersberg", "de l'Outre-Forêt", "de la Bruche", "du Ried", "du Haut-Barr", "de la Zorn"),
        "68": ("du Sundgau", "de la Doller", "de la Thur", "du Florival", "du Hohlandsbourg"),
    }
)
_GENERIC_PLACES: tuple[str, ...] = (
    "des Tilleuls",
    "du Parc",
    "des Remparts",
    "de la Plaine",
    "du Château",
    "des Châtaigniers",
    "des Tuileries",
    "du Lac",
    "des Vergers",
    "de la Source",
    "du Bois",
    "des Prés",
)
_PRIVATE_PATRONS: tuple[str, ...] = (
    "Saint-Joseph",
    "Notre-Dame",
    "Sainte-Marie",
    "Jeanne d'Arc",
    "Saint-Jean-Baptiste de La Salle",
    "La Providence",
    "Sainte-Anne",
    "Saint-Michel",
    "Saint-Louis",
    "Sacré-Cœur",
    "Don Bosco",
    "Saint-Vincent de Paul",
    "Charles de Foucauld",
    "Sainte-Chrétienne",
    "Saint-Pierre Fourier",
    "Notre-Dame de Sion",
    "Saint-Étienne",
    "Sainte-Clotilde",
    "Saint-Augustin",
    "Jean XXIII",
    "Saint-Dominique",
    "Sainte-Thérèse",
    "Saint-Paul",
    "Saint-Nicolas",
    "Saint-Rémi",
    "Sainte-Odile",
    "Saint-Sigisbert",
    "Saint-Clément",
    "Saint-François d'Assise",
    "Sainte-Ursule",
)


@dataclass(slots=True)
class _Slot:
    """An establishment while it is being generated (mutable, private)."""

    departement: Departement
    kind: EstablishmentKind
    commune: str
    sector: Sector = Sector.PUBLIC
    name: str = ""
    raw_pupils: float = 0.0


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the earlier index)."""
    weight_sum = sum(weights)
    quotas = [total * weight / weight_sum for weight in weights]
    counts = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _commune_counts(departement: Departement, kind: EstablishmentKind, total: int) -> list[int]:
    if kind is EstablishmentKind.COLLEGE:
        weights = [c.population**_COMMUNE_WEIGHT_EXPONENT_COLLEGE for c in departement.communes]
        if total >= len(weights):
            return [1 + extra for extra in _apportion(total - len(weights), weights)]
        return _apportion(total, weights)
    weights = [c.population**_COMMUNE_WEIGHT_EXPONENT_LYCEE for c in departement.communes]
    return _apportion(total, weights)


def _slots() -> list[_Slot]:
    """Where the establishments are: fixed by the reference data, independent of the seed."""
    slots: list[_Slot] = []
    for kind, kind_total in _KIND_TOTALS.items():
        per_departement = _apportion(kind_total, [d.population for d in DEPARTEMENTS])
        for departement, departement_total in zip(DEPARTEMENTS, per_departement, strict=True):
            counts = _commune_counts(departement, kind, departement_total)
            for commune, count in zip(departement.communes, counts, strict=True):
                slots.extend(_Slot(departement, kind, commune.name) for _ in range(count))
    return slots


def _pick_unused(rng: random.Random, pools: Iterable[Sequence[str]], used: set[str]) -> str:
    """First pool that still has a name unused in the commune; a random name from it."""
    for pool in pools:
        free = [name for name in pool if name not in used]  # keeps the pool's order: no set iteration
        if free:
            return rng.choice(free)
    raise RuntimeError("name pools exhausted for one commune")


def _public_name_pools(rng: random.Random, departement_code: str) -> tuple[Sequence[str], ...]:
    regional = _REGIONAL_PATRONS[departement_code]
    places = (*_REGIONAL_PLACES[departement_code], *_GENERIC_PLACES)
    draw = rng.random()
    if draw < 0.25:
        first: Sequence[str] = regional
    elif draw < 0.40:
        first = places
    else:
        first = _NATIONAL_PATRONS
    return (first, _NATIONAL_PATRONS, places, regional)


def _name_slots(rng: random.Random, slots: list[_Slot]) -> None:
    # Patrons are unique within a commune (not only full names): no "Collège X" next to a "Lycée X".
    used_by_commune: dict[tuple[str, str], set[str]] = {}
    for slot in slots:
        used = used_by_commune.setdefault((slot.departement.code, slot.commune), set())
        if slot.sector is Sector.PRIVE_SOUS_CONTRAT:
            patron = _pick_unused(rng, (_PRIVATE_PATRONS,), used)
        else:
            patron = _pick_unused(rng, _public_name_pools(rng, slot.departement.code), used)
        used.add(patron)
        slot.name = f"{_NAME_PREFIX[(slot.kind, slot.sector)]} {patron}"


def _scaled_pupils(slots: Sequence[_Slot], target: int) -> list[int]:
    """Scale the raw draws so that the total lands on ``target``, each count staying in its kind's range."""

    def counts_for(factor: float) -> list[int]:
        counts = []
        for slot in slots:
            low, high, _, _ = _PUPIL_RANGE[slot.kind]
            counts.append(min(high, max(low, round(slot.raw_pupils * factor))))
        return counts

    factor = 1.0
    for _ in range(5):  # clamping makes one pass inexact; a few passes settle within a few pupils
        factor *= target / sum(counts_for(factor))
    return counts_for(factor)


def generate_registry(seed: int = 2026) -> tuple[Establishment, ...]:
    """The synthetic registry: 857 establishments of the ten Grand Est départements, sorted by UAI.

    Counts per département, kind and commune come from the reference data; the seed only draws the UAIs,
    names, sectors and pupil counts. Same seed, same registry, on any machine and any PYTHONHASHSEED.
    """
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, nothing secret
    slots = _slots()

    by_kind: dict[EstablishmentKind, list[_Slot]] = {}
    for slot in slots:
        by_kind.setdefault(slot.kind, []).append(slot)
    for kind, kind_slots in by_kind.items():
        for slot in rng.sample(kind_slots, round(len(kind_slots) * _PRIVATE_SHARE[kind])):
            slot.sector = Sector.PRIVE_SOUS_CONTRAT

    _name_slots(rng, slots)
    for slot in slots:
        low, high, alpha, beta = _PUPIL_RANGE[slot.kind]
        slot.raw_pupils = low + (high - low) * rng.betavariate(alpha, beta)
    pupil_counts = _scaled_pupils(slots, REGISTRY_PUPIL_TARGET)

    numbers_by_departement: dict[str, list[int]] = {}
    for departement in DEPARTEMENTS:
        size = sum(1 for slot in slots if slot.departement is departement)
        numbers_by_departement[departement.code] = rng.sample(_UAI_NUMBERS, size)

    establishments = []
    for slot, pupil_count in zip(slots, pupil_counts, strict=True):
        code = slot.departement.code
        seven = f"0{code}{numbers_by_departement[code].pop():04d}"
        establishments.append(
            Establishment(
                uai=seven + uai_check_letter(seven),
                name=slot.name,
                kind=slot.kind,
                sector=slot.sector,
                commune=slot.commune,
                departement_code=code,
                academie=slot.departement.academie,
                owner_code=owner_code_for(slot.kind, code),
                pupil_count=pupil_count,
            )
        )
    return tuple(sorted(establishments, key=lambda e: e.uai))


# ----------------------------------------------------------------------------------------------------------
# Demo selection
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _DemoWish:
    owner_code: str
    kind: EstablishmentKind
    departement_code: str
    commune: str


# One establishment per collectivité, in its seat's town, then a lycée GT (Reims) and a LP (Mulhouse) so that
# the three académies and the three lycée kinds appear.
_DEMO_WISHES: tuple[_DemoWish, ...] = (
    _DemoWish("REGION-GE", EstablishmentKind.LYCEE_POLY, "57", "Metz"),
    *(
        _DemoWish(f"D{d.code}", EstablishmentKind.COLLEGE, d.code, d.prefecture)
        for d in DEPARTEMENTS
        if d.code not in ("67", "68")
    ),
    _DemoWish("CEA", EstablishmentKind.COLLEGE, "67", "Strasbourg"),
    _DemoWish("REGION-GE", EstablishmentKind.LYCEE_GT, "51", "Reims"),
    _DemoWish("REGION-GE", EstablishmentKind.LYCEE_PRO, "68", "Mulhouse"),
)


def _closest_to_wish(candidates: Iterable[Establishment], wish: _DemoWish) -> Establishment | None:
    owned = [e for e in candidates if e.owner_code == wish.owner_code]
    if not owned:
        return None
    return min(
        owned,
        key=lambda e: (
            e.kind != wish.kind,
            e.departement_code != wish.departement_code,
            e.commune != wish.commune,
            e.sector != Sector.PUBLIC,
            e.uai,
        ),
    )


def demo_selection(registry: Sequence[Establishment], count: int = 12) -> tuple[Establishment, ...]:
    """A stable pick of ``count`` establishments covering the 10 collectivités (public ones in their seat's
    town when the registry has them), then a lycée GT and a LP, then a round-robin over the départements."""
    if count < len(COLLECTIVITES):
        raise ValueError(
            f"Il faut au moins {len(COLLECTIVITES)} établissements pour couvrir les collectivités."
        )
    if count > len(registry):
        raise ValueError(f"Le registre ne compte que {len(registry)} établissements.")
    remaining = sorted(registry, key=lambda e: e.uai)  # independent of the caller's order
    picked: list[Establishment] = []
    for wish in _DEMO_WISHES:
        if len(picked) == count:
            break
        choice = _closest_to_wish(remaining, wish)
        if choice is None:
            if wish.owner_code not in {e.owner_code for e in picked}:
                raise ValueError(f"Aucun établissement du registre ne relève de « {wish.owner_code} ».")
            continue
        picked.append(choice)
        remaining.remove(choice)
    # Round-robin over the départements, each in UAI order, so that extra picks spread across the region.
    queues: dict[str, list[Establishment]] = {}
    for establishment in remaining:
        queues.setdefault(establishment.departement_code, []).append(establishment)
    turn = [queues[code] for code in sorted(queues)]
    while len(picked) < count:
        for queue in turn:
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    return tuple(picked)
