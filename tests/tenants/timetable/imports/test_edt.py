"""EDT (Index Éducation) decrypted timetable export parser: round trip, week masks, rejections."""

from __future__ import annotations

import codecs
import datetime
from collections.abc import Callable

from tenants.timetable.imports import TimetableImportError, TimetableSource, parse_edt
from tenants.timetable.imports.edt import week_mask, weeks_of_mask
from tenants.timetable.imports.samples import (
    A_WEEKS,
    sample_edt_export,
    sample_edt_file,
    write_edt,
)

from .conftest import line_of

Rejected = Callable[..., TimetableImportError]

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<EmploiDuTemps UAI="0679901Y">
  <AnneeScolaire DateDebut="2025-09-01" DateFin="2026-07-04" DatePremierJourSemaine1="2025-09-01"/>
  <GrilleHoraire DureePlace="55">
    <PlacesParJour>
      <Place Numero="0" LibelleHeureDebut="08:00:00" LibelleHeureFin="08:55:00"/>
      <Place Numero="1" LibelleHeureDebut="08:55:00" LibelleHeureFin="09:50:00"/>
    </PlacesParJour>
  </GrilleHoraire>
  <Matieres><Matiere Ident="M1" Code="MATHS" Libelle="Mathématiques"/></Matieres>
  <Professeurs>
    <Professeur Ident="P1" IDPN="X1" Nom="ARNOUX" Prenom="Lucien"/>
    <Professeur Ident="P2" IDPN="X2" Nom="BERTHIER" Prenom="Odile"/>
  </Professeurs>
  <Classes><Classe Ident="C1" Nom="4B"><PartieDeClasse Ident="C1G1" Nom="4B G1"/></Classe></Classes>
  <Salles><Salle Ident="S1" Nom="S12"/></Salles>
  <Eleves>
    <Eleve Ident="E1" Nom="ELEVE" Prenom="Une" DateNaissance="2012-01-01"><Classe Ident="C1"/></Eleve>
  </Eleves>
"""


def _document(courses: str, header: str = HEADER) -> bytes:
    return f"{header}  <Cours>\n{courses}  </Cours>\n</EmploiDuTemps>\n".encode()


def _mask(weeks: range | set[int]) -> str:
    return str(week_mask(set(weeks)))


# --- Round trips ----------------------------------------------------------------------------------------


def test_sample_round_trips() -> None:
    # given the sample timetable written as a decrypted EDT export
    name, data = sample_edt_file()
    # when it is parsed for its school
    parsed = parse_edt(data, file_name=name, expected_uai="0679901Y")
    # then grid, catalogues and lessons come back unchanged
    assert parsed == sample_edt_export()
    assert parsed.source is TimetableSource.EDT
    assert parsed.grid is not None
    assert parsed.grid.slot(1) is not None
    assert parsed.lessons[1].weeks.weeks == A_WEEKS
    assert parsed.lessons[1].duration_minutes == 125


def test_encodings_utf8_bom_and_latin1_are_read() -> None:
    # given the sample with a BOM and in ISO-8859-1
    export = sample_edt_export()
    for data in (write_edt(export, bom=True), write_edt(export, encoding="ISO-8859-1")):
        assert data.startswith(codecs.BOM_UTF8) or b"Fran\xe7ais" in data
        # when parsed, then accents survive
        parsed = parse_edt(data, file_name=export.file)
        assert parsed == export
        assert parsed.subjects[1].label == "Français"


def test_week_masks_follow_the_edt_bit_order() -> None:
    # given weeks 1, 2 and 35
    # then bit i is week i, both ways
    assert week_mask({1, 2}) == 0b110
    assert weeks_of_mask(week_mask({1, 2, 35})) == frozenset({1, 2, 35})
    assert weeks_of_mask(1) == frozenset()  # bit 0 is not a week


def test_a_teacher_change_during_the_year_splits_the_course() -> None:
    # given a course taught by P1 in weeks 1-10 then P2 in weeks 11-20, cancelled in week 5,
    # in a room only on weeks 1-3, for class C1 all year
    off = _mask({5})
    courses = f"""    <Cours Ident="77" Jour="2" NumeroPlaceDebut="0" NombrePlaces="2"
           SemainesAnnulation="{off}">
      <Matiere Ident="M1" Semaines="{_mask(range(1, 21))}"/>
      <Professeur Ident="P1" Semaines="{_mask(range(1, 11))}"/>
      <Professeur Ident="P2" Semaines="{_mask(range(11, 21))}"/>
      <Classe Ident="C1" Semaines="{_mask(range(1, 21))}"/>
      <Salle Ident="S1" Semaines="{_mask({1, 2, 3})}"/>
    </Cours>
"""
    data = _document(courses)
    # when it is parsed
    parsed = parse_edt(data, file_name="edt.xml")
    # then it becomes one lesson per set of resources, each with its explicit weeks
    summary = [
        (lesson.teacher_keys, lesson.room_keys, sorted(lesson.weeks.weeks or ())) for lesson in parsed.lessons
    ]
    assert summary == [
        (("P1",), ("S1",), [1, 2, 3]),
        (("P1",), (), [4, 6, 7, 8, 9, 10]),
        (("P2",), (), list(range(11, 21))),
    ]
    lesson = parsed.lessons[0]
    # and Jour 2 of a week starting on Monday is a Tuesday, from 8:00 to 9:50
    assert (lesson.day, lesson.start, lesson.end) == (2, datetime.time(8, 0), datetime.time(9, 50))
    assert lesson.source_id == "77"
    # (libxml2 gives the line where a start tag spanning two lines ends)
    assert lesson.line == line_of(data, '<Cours Ident="77"') + 1
    # and the first days of the listed weeks can be computed
    assert parsed.first_week_start is not None
    assert next(lesson.weeks.dates(parsed.first_week_start)) == datetime.date(2025, 9, 1)


def test_a_course_without_masks_runs_every_week_and_pupils_are_skipped() -> None:
    # given a course with no Semaines at all
    data = _document('    <Cours Jour="1" NumeroPlaceDebut="1" NombrePlaces="1"><Matiere Ident="M1"/>'
                     '<PartieDeClasse Ident="C1G1"/></Cours>\n')  # fmt: skip
    # when it is parsed
    parsed = parse_edt(data, file_name="edt.xml")
    # then it runs every week, for the class part, and no pupil is kept anywhere
    (lesson,) = parsed.lessons
    assert lesson.weeks.every_week
    assert lesson.class_part_keys == ("C1G1",)
    assert parsed.class_parts[0].class_key == "C1"
    assert "ELEVE" not in repr(parsed)


def test_days_are_counted_from_the_first_day_of_week_one() -> None:
    # given a school whose week 1 starts on a Sunday (DatePremierJourSemaine1 = 2025-08-31)
    header = HEADER.replace('DatePremierJourSemaine1="2025-09-01"', 'DatePremierJourSemaine1="2025-08-31"')
    data = _document(
        '    <Cours Jour="2" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="M1"/></Cours>\n', header
    )
    # when it is parsed
    # then Jour 2 is a Monday
    assert parse_edt(data, file_name="edt.xml").lessons[0].day == 1


# --- Rejections ---------------------------------------------------------------------------------------


def test_the_encrypted_envelope_without_a_key_is_rejected(rejected: Rejected) -> None:
    # given the file as EDT drops it (compressed, encrypted), and no key to open it
    data = (
        b'<?xml version="1.0"?>\n'
        b"<EXPORT_INDEX_EDUCATION><VERSION>1</VERSION><CLES/><CONTENU>AAAA</CONTENU>"
        b"<VERIFICATION>AAAA</VERIFICATION></EXPORT_INDEX_EDUCATION>"
    )
    # when it is parsed
    error = rejected(parse_edt, data, file_name="export.xml", code="edt_key_not_configured")
    # then the admin is told to import the decrypted file or have the key configured
    # (opening envelopes: test_edt_envelope.py)
    assert error.element == "EXPORT_INDEX_EDUCATION"
    assert "chiffré" in error.reason


def test_other_formats_and_non_xml_are_rejected(rejected: Rejected) -> None:
    # given an STS export, an unrelated XML document and a CSV
    sts = b'<?xml version="1.0"?>\n<STS_EDT><PARAMETRES/></STS_EDT>'
    unrelated = b"<?xml version='1.0'?>\n<html><body>bonjour</body></html>"
    # when they are parsed as EDT
    # then each is rejected with a code of its own
    assert rejected(parse_edt, sts, file_name="a.xml", code="wrong_root").element == "STS_EDT"
    assert rejected(parse_edt, unrelated, file_name="b.xml", code="wrong_root").element == "racine"
    assert rejected(parse_edt, b"Jour;Heure\n", file_name="c.csv", code="not_xml").line == 1


def test_missing_school_year_or_grid_is_rejected(rejected: Rejected) -> None:
    course = '    <Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="M1"/></Cours>\n'
    no_year = _document(
        course, "\n".join(line for line in HEADER.splitlines() if "AnneeScolaire" not in line)
    )
    no_grid = _document(course, HEADER.split("  <GrilleHoraire")[0] + HEADER.split("</GrilleHoraire>\n")[1])
    assert rejected(parse_edt, no_year, file_name="e.xml", code="missing_field").element == "AnneeScolaire"
    assert rejected(parse_edt, no_grid, file_name="e.xml", code="missing_field").element == "GrilleHoraire"


def test_bad_days_are_rejected_at_the_course_line(rejected: Rejected) -> None:
    for day in ("8", "0", "lundi"):
        data = _document(
            f'    <Cours Jour="{day}" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="M1"/></Cours>\n'
        )
        error = rejected(parse_edt, data, file_name="e.xml", code="bad_day")
        assert error.line == line_of(data, "<Cours Jour=")
        assert error.element == "EmploiDuTemps/Cours/Cours"


def test_bad_times_are_rejected(rejected: Rejected) -> None:
    # given a grid place that is not a time, one that ends before it starts, and a course past the grid
    unreadable = HEADER.replace('LibelleHeureDebut="08:55:00"', 'LibelleHeureDebut="9 heures"')
    reversed_place = HEADER.replace('LibelleHeureFin="09:50:00"', 'LibelleHeureFin="08:30:00"')
    course = '    <Cours Jour="1" NumeroPlaceDebut="1" NombrePlaces="3"><Matiere Ident="M1"/></Cours>\n'
    # when they are parsed
    # then each is a bad_time with the line of the place or the course
    error = rejected(parse_edt, _document("", unreadable), file_name="e.xml", code="bad_time")
    assert error.line == line_of(unreadable, "9 heures")
    assert error.element is not None
    assert error.element.endswith("PlacesParJour/Place")
    rejected(parse_edt, _document("", reversed_place), file_name="e.xml", code="bad_time")
    past = _document(course)
    assert rejected(parse_edt, past, file_name="e.xml", code="bad_time").line == line_of(past, "<Cours Jour=")


def test_unknown_resource_of_a_course_is_rejected(rejected: Rejected) -> None:
    # given a course citing a teacher that is not declared
    data = _document('    <Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1"><Matiere Ident="M1"/>'
                     '<Professeur Ident="P9"/></Cours>\n')  # fmt: skip
    # when it is parsed
    error = rejected(parse_edt, data, file_name="e.xml", code="unknown_reference")
    # then the course line and the child element are given
    assert error.line == line_of(data, "<Cours Jour=")
    assert error.element == "EmploiDuTemps/Cours/Cours/Professeur"


def test_bad_week_mask_is_rejected(rejected: Rejected) -> None:
    data = _document(
        '    <Cours Jour="1" NumeroPlaceDebut="0" NombrePlaces="1">'
        '<Matiere Ident="M1" Semaines="A"/></Cours>\n'
    )
    error = rejected(parse_edt, data, file_name="e.xml", code="bad_weeks")
    assert error.element == "EmploiDuTemps/Cours/Cours/Matiere"


def test_duplicate_ident_is_rejected(rejected: Rejected) -> None:
    header = HEADER.replace('<Professeur Ident="P2"', '<Professeur Ident="P1"')
    error = rejected(parse_edt, _document("", header), file_name="e.xml", code="duplicate")
    assert error.line == line_of(header, 'Nom="BERTHIER"')
    assert "BERTHIER" not in str(error)


def test_file_of_another_school_is_rejected(rejected: Rejected) -> None:
    name, data = sample_edt_file()
    error = rejected(parse_edt, data, file_name=name, expected_uai="0670001D", code="uai_mismatch")
    assert "0679901Y" in error.reason
