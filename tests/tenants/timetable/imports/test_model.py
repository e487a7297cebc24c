"""The error type and the purity of the parsers package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tenants.timetable.imports import ERROR_CODES, TimetableImportError

ROOT = Path(__file__).resolve().parents[4]


def test_error_says_file_place_reason_and_code() -> None:
    # given errors located by line, by element, by both and by nothing
    both = TimetableImportError(
        file="a.xml", code="bad_day", reason="le jour est faux", line=3, element="Cours"
    )
    by_line = TimetableImportError(file="a.csv", code="bad_time", reason="heure", line=7)
    by_element = TimetableImportError(file="a.xml", code="missing_field", reason="absent", element="UAJ")
    nowhere = TimetableImportError(file="a.zip", code="bad_archive", reason="illisible")
    # then each renders as one French report line
    assert str(both) == "a.xml, ligne 3 (Cours) : le jour est faux [bad_day]"
    assert by_line.line_or_element == "ligne 7"
    assert by_element.line_or_element == "élément UAJ"
    assert nowhere.line_or_element == "fichier entier"
    assert isinstance(both, ValueError)


def test_codes_are_a_closed_list() -> None:
    assert {"not_xml", "wrong_root", "missing_field", "bad_time", "bad_day", "unknown_reference",
            "bad_encoding", "bad_csv_header", "uai_mismatch"} <= ERROR_CODES  # fmt: skip
    with pytest.raises(ValueError, match="unknown"):
        TimetableImportError(file="a", code="oops", reason="x")


def test_parsers_import_no_django() -> None:
    # given a fresh interpreter
    code = (
        "import sys\n"
        "import tenants.timetable.imports, tenants.timetable.imports.samples\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'ninja', 'mbn', 'shared'})\n"
        "print(','.join(bad))\n"
    )
    # when the package and its samples are imported
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # then no Django (nor project kernel) module was loaded
    assert result.stdout.strip() == ""
