"""Pure parsers of the timetable exchange files (no Django): STS-Web, EDT, UDT.

* ``parse_sts``: STS-Web ``sts_emp_<UAI>_<année>.xml`` (or a zip of it) → ``StsExport``
  (school, subjects, MEFs, divisions, groups, individuals, services).
* ``parse_edt``: EDT export for ENTs, the encrypted envelope (opened with our partner name and RSA
  key, see ``edt_envelope``) or the decrypted XML → ``TimetableExport`` (grid, catalogues, lessons).
* ``parse_udt``: UDT CSV export → ``TimetableExport`` (catalogues, lessons; no grid).

Every rejection is a ``TimetableImportError`` (file, line and/or element, stable code, French
reason without personal data). ``samples`` writes small valid files of each format.
"""

from .edt import parse_edt
from .model import (
    ERROR_CODES,
    Civility,
    Grid,
    GridSlot,
    PlacedLesson,
    StructureKind,
    StsDiscipline,
    StsDivision,
    StsExport,
    StsGroup,
    StsIndividual,
    StsMainTeacherOf,
    StsMef,
    StsSchool,
    StsService,
    StsSubject,
    TimetableClass,
    TimetableClassPart,
    TimetableExport,
    TimetableGroup,
    TimetableImportError,
    TimetableRoom,
    TimetableSource,
    TimetableSubject,
    TimetableTeacher,
    WeekPattern,
)
from .sts import parse_sts, sts_file_name
from .udt import parse_udt

__all__ = [
    "ERROR_CODES",
    "Civility",
    "Grid",
    "GridSlot",
    "PlacedLesson",
    "StructureKind",
    "StsDiscipline",
    "StsDivision",
    "StsExport",
    "StsGroup",
    "StsIndividual",
    "StsMainTeacherOf",
    "StsMef",
    "StsSchool",
    "StsService",
    "StsSubject",
    "TimetableClass",
    "TimetableClassPart",
    "TimetableExport",
    "TimetableGroup",
    "TimetableImportError",
    "TimetableRoom",
    "TimetableSource",
    "TimetableSubject",
    "TimetableTeacher",
    "WeekPattern",
    "parse_edt",
    "parse_sts",
    "parse_udt",
    "sts_file_name",
]
