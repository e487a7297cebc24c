"""AAF import: the académie directory feed into accounts (public) and each school's directory.

Two passes over the files, memory flat in the size of the records:

1. **Validation.** Every file is parsed (``read_archive`` + ``iter_records``) and the references of
   each académie run are checked (``check_references``). Any ``AafFormatError``, any blocking
   reference problem, or a UAI the requester does not administer rejects the whole run before a
   single row is written: the database stays exactly as it was.
2. **Import.** File by file in the mandatory order (structures, subjects, MEF, pupils, parents,
   staff), one transaction per file, records in batches. A record whose ``content_checksum()`` and
   schools match what the last run stored (``AafRecordState``) is skipped: a second identical run
   changes nothing and reports everything as unchanged. Each school's rows are written through
   ``tenants.directory.services`` inside ``schema_context`` of that school.

Then, for a full export: people of the académie missing from it are marked (step 1 of the removal);
people marked longer ago than ``MBN_AAF_DELETION_GRACE_DAYS`` leave their schools (step 2).

Keys are namespaced by académie: account ``aaf_jointure`` = ``<ACADEMIE>-<ENTPersonJointure>``.
Only ids and counts are logged, never names.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from mbn.errors import DomainError
from shared.accounts.services import (
    DirectoryAccount,
    DirectoryIdentity,
    accounts_deactivate_without_school,
    accounts_upsert_from_directory,
    school_accesses_add,
    school_accesses_remove,
)
from shared.directory_feed import selectors as feed_selectors
from shared.directory_feed import services as feed_services
from shared.directory_feed.services import RecordStateRow
from tenants.directory import selectors, services
from tenants.directory.imports.aaf_parser import (
    AafFile,
    AafFormatError,
    KnownKeys,
    ReferenceProblem,
    check_references,
    iter_records,
    read_archive,
)
from tenants.directory.imports.aaf_records import (
    AafRecord,
    FileKind,
    Guardian,
    GuardianLink,
    LegalResponsibility,
    Mef,
    Operation,
    Staff,
    Structure,
    Student,
    Subject,
)
from tenants.directory.models import GuardianKind, LocalFunction, NationalProfile, Role
from tenants.directory.services import GuardianLinkSync, PersonSync

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
PEOPLE_KINDS = (FileKind.STUDENTS, FileKind.GUARDIANS, FileKind.STAFF)
MAX_WARNINGS = 200
# National profile → role in the school (tenants/directory/permissions.py).
PROFILE_ROLES: Mapping[str, str] = {
    "ENS": Role.TEACHER,
    "DOC": Role.TEACHER,
    "DIR": Role.DIRECTION,
    "EVS": Role.VIE_SCOLAIRE,
    "ETA": Role.STAFF,
    "COL": Role.STAFF,
    "ACA": Role.STAFF,
}
# codeFonction → local function, when the code says it without doubt (DIR can be head or deputy).
FUNCTION_LOCAL: Mapping[str, str] = {"CPE": LocalFunction.CPE, "EDU": LocalFunction.CPE}

ProgressCallback = Callable[[int, int, str], None]


class AafImportRejected(DomainError):
    """The run was refused whole; `rejection` says where and why (file, line, record, code)."""

    code = "aaf_rejected"
    status = 400

    def __init__(self, rejection: dict[str, Any], report: ImportReport | None = None) -> None:
        self.rejection = rejection
        self.report = report
        super().__init__(f"Import refusé : {_where(rejection)}{rejection['reason']} [{rejection['code']}]")


def _where(rejection: Mapping[str, Any]) -> str:
    parts = [str(rejection["file"])] if rejection.get("file") else []
    if rejection.get("line") is not None:
        parts.append(f"ligne {rejection['line']}")
    if rejection.get("record_index") is not None:
        parts.append(f"enregistrement n° {rejection['record_index']}")
    if rejection.get("record_id"):
        parts.append(f"identifiant {rejection['record_id']}")
    return f"{', '.join(parts)} : " if parts else ""


@dataclass
class ImportReport:
    """What a run did; `as_dict()` is what the run row stores and `--json` prints."""

    academies: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    is_delta: bool = False
    records: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    per_kind: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warning_count: int = 0
    unknown_attributes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    unknown_function_codes: set[str] = field(default_factory=set)
    rejection: dict[str, Any] | None = None

    def count(self, kind: FileKind, outcome: str, n: int = 1) -> None:
        if n:
            self.per_kind[kind.value][outcome] += n
            if kind in PEOPLE_KINDS:
                self.counts[outcome] += n

    def warn(self, problem: ReferenceProblem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(
                {
                    "code": problem.code,
                    "kind": problem.kind.value,
                    "record_id": problem.record_id,
                    "reference": problem.reference,
                    "reason": problem.reason,
                    "occurrences": problem.occurrences,
                }
            )

    def totals(self) -> dict[str, int]:
        keys = ("created", "updated", "unchanged", "marked", "removed", "ended", "ignored", "merged")
        totals = {key: int(self.counts.get(key, 0)) for key in keys}
        totals["rejected"] = self.records if self.rejection else 0
        return totals

    @property
    def changes(self) -> int:
        totals = self.totals()
        return sum(totals[k] for k in ("created", "updated", "marked", "removed", "ended")) + sum(
            counts.get("created", 0) + counts.get("updated", 0)
            for kind, counts in self.per_kind.items()
            if FileKind(kind) not in PEOPLE_KINDS
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "academies": self.academies,
            "files": self.files,
            "is_delta": self.is_delta,
            "records": self.records,
            "counts": self.totals(),
            "per_kind": {kind: dict(counts) for kind, counts in sorted(self.per_kind.items())},
            "warning_count": self.warning_count,
            "warnings": self.warnings,
            "unknown_attributes": {
                kind: sorted(names) for kind, names in sorted(self.unknown_attributes.items())
            },
            "unknown_function_codes": sorted(self.unknown_function_codes),
            "rejection": self.rejection,
            "changes": self.changes,
        }


def _rejection_from_format_error(exc: AafFormatError) -> dict[str, Any]:
    return {
        "file": exc.file,
        "line": exc.line,
        "record_index": exc.record_index,
        "record_id": exc.record_id,
        "code": exc.code,
        "reason": exc.reason,
    }


def _rejection_from_problem(problem: ReferenceProblem) -> dict[str, Any]:
    origin = problem.origin
    return {
        "file": origin.file if origin else None,
        "line": origin.line if origin else None,
        "record_index": origin.index if origin else None,
        "record_id": problem.record_id,
        "code": problem.code,
        "reason": problem.reason,
    }


# --- the files of a run -------------------------------------------------------------------------------


@dataclass
class _FileSet:
    """The files of one académie export (one prefix): one académie run."""

    prefix: str
    files: list[AafFile]
    academie: str = ""

    @property
    def is_delta(self) -> bool:
        return any(f.is_delta for f in self.files)

    @property
    def kinds(self) -> set[FileKind]:
        return {f.kind for f in self.files}


def _file_sets(path: str | os.PathLike[str]) -> list[_FileSet]:
    sets: dict[str, _FileSet] = {}
    for aaf_file in read_archive(path):
        sets.setdefault(aaf_file.prefix, _FileSet(aaf_file.prefix, [])).files.append(aaf_file)
    for file_set in sets.values():
        file_set.academie = _academie_of(file_set)
    return list(sets.values())


def _academie_of(file_set: _FileSet) -> str:
    """From the structures' ENTServAcAcademie, else the export's name (``STRASBOURG_Delta_…``)."""
    for aaf_file in file_set.files:
        if aaf_file.kind is FileKind.STRUCTURES:
            for record in iter_records(aaf_file):
                if isinstance(record, Structure) and record.academie:
                    return record.academie.upper()
                if isinstance(record, Structure) and record.uai:
                    known = feed_selectors.academie_of_uai(uai=record.uai)
                    if known:
                        return known
    first_part = os.path.basename(file_set.prefix).split("_")[0].upper()
    if first_part and first_part != "ENT":
        return first_part
    parts = os.path.basename(file_set.prefix).split("_")
    if len(parts) > 1:
        known = feed_selectors.academie_of_uai(uai=parts[1].upper())
        if known:
            return known
    raise AafFormatError(file_set.prefix, None, "académie de l'export introuvable", "unknown_academie")


# --- entry point -------------------------------------------------------------------------------------


def aaf_import(
    path: str | os.PathLike[str],
    *,
    allowed_uais: Sequence[str] | None = None,
    on_progress: ProgressCallback | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import a folder or .zip of AAF files. Raises ``AafImportRejected`` (nothing written) when refused.

    `allowed_uais`: the requester may only import establishments with these UAIs (admin page); a
    structure of the platform outside them rejects the run. None = no restriction (command line).
    """
    report = ImportReport()
    progress = on_progress or (lambda done, total, phase: None)
    platform = feed_selectors.platform_schools_by_uai()
    try:
        file_sets = _file_sets(path)
        report.files = [f.name for s in file_sets for f in s.files]
        report.academies = sorted({s.academie for s in file_sets})
        report.is_delta = any(s.is_delta for s in file_sets)
        report.records = _validate(file_sets, platform, allowed_uais, report, progress)
    except AafFormatError as exc:
        report.rejection = _rejection_from_format_error(exc)
    if report.rejection is not None:
        logger.warning("aaf.rejected", extra={"code": report.rejection["code"]})
        raise AafImportRejected(report.rejection, report)
    done = 0
    for file_set in file_sets:
        run = _AcademieRun(file_set, platform, report, batch_size)
        for aaf_file in file_set.files:
            with transaction.atomic():
                for count in run.apply_file(aaf_file):
                    done += count
                    progress(done, report.records, "import")
            logger.info("aaf.file_imported", extra={"file": aaf_file.name})
        if not file_set.is_delta:
            with transaction.atomic():
                run.mark_missing()
    with transaction.atomic():
        _remove_marked(report, platform)
    progress(report.records, report.records, "import")
    logger.info("aaf.imported", extra={"counts": report.totals()})
    return report


def _validate(
    file_sets: list[_FileSet],
    platform: Mapping[str, tuple[int, str]],
    allowed_uais: Sequence[str] | None,
    report: ImportReport,
    progress: ProgressCallback,
) -> int:
    allowed = set(allowed_uais) if allowed_uais is not None else None
    total = 0
    for file_set in file_sets:
        known = _known_keys(file_set) if file_set.is_delta else None

        def records(file_set: _FileSet = file_set) -> Iterator[AafRecord]:
            nonlocal total
            for aaf_file in file_set.files:
                for record in iter_records(aaf_file):
                    total += 1
                    if total % 5000 == 0:
                        progress(total, 0, "validation")
                    if record.unknown_attributes:
                        report.unknown_attributes[record.kind.value].update(record.unknown_attributes)
                    if (
                        isinstance(record, Structure)
                        and allowed is not None
                        and record.uai in platform
                        and record.uai not in allowed
                    ):
                        raise AafFormatError(
                            aaf_file.name,
                            record.origin.line if record.origin else None,
                            f"l'établissement {record.uai} n'est pas administré par votre collectivité",
                            "uai_not_owned",
                            record_index=record.origin.index if record.origin else None,
                            record_id=record.jointure,
                        )
                    if isinstance(record, Staff):
                        report.unknown_function_codes.update(
                            record.profiles(_function_profiles()).unknown_function_codes
                        )
                    yield record

        problems = check_references(records(), known_uais=set(platform), known=known)
        blocking = [p for p in problems if p.is_blocking]
        if blocking:
            report.rejection = _rejection_from_problem(blocking[0])
            return total
        for problem in problems:
            report.warn(problem)
    progress(total, total, "validation")
    return total


def _known_keys(file_set: _FileSet) -> KnownKeys:
    """What the database already holds for the académie: a delta may reference it."""
    structures = feed_selectors.structures_of(academie=file_set.academie)
    return KnownKeys(
        ids={
            kind: set(feed_selectors.record_state_jointures(academie=file_set.academie, kind=kind.value))
            | (set(structures) if kind is FileKind.STRUCTURES else set())
            for kind in FileKind
        },
        classes={(j, code) for j, s in structures.items() for code in s.class_codes},
        groups={(j, code) for j, s in structures.items() for code in s.group_codes},
    )


def _function_profiles() -> Mapping[str, str]:
    from tenants.directory.imports.aaf_records import FUNCTION_PROFILES

    return {**FUNCTION_PROFILES, **getattr(settings, "MBN_AAF_FUNCTION_PROFILES", {})}


def _batches(records: Iterable[AafRecord], size: int) -> Iterator[list[AafRecord]]:
    batch: list[AafRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- one académie run ---------------------------------------------------------------------------------


@dataclass
class _Changed:
    record: AafRecord
    state: Any  # AafRecordState | None
    schools: list[int]
    checksum: str
    account_id: int = 0
    display_name: str = ""


class _AcademieRun:
    def __init__(
        self,
        file_set: _FileSet,
        platform: Mapping[str, tuple[int, str]],
        report: ImportReport,
        batch_size: int,
    ) -> None:
        self.file_set = file_set
        self.academie = file_set.academie
        self.report = report
        self.batch_size = batch_size
        self.schema_by_school = {school_id: schema for school_id, schema in platform.values()}
        self.school_by_uai = {uai: school_id for uai, (school_id, _) in platform.items()}
        self.seen: dict[FileKind, set[str]] = {kind: set() for kind in PEOPLE_KINDS}
        self.new_school_ids: set[int] = set()
        self.now = timezone.now()
        self._load_structures()

    def _load_structures(self) -> None:
        structures = feed_selectors.structures_of(academie=self.academie)
        self.school_by_structure = {j: s.school_id for j, s in structures.items() if s.school_id is not None}
        self.structures_of_school: dict[int, set[str]] = defaultdict(set)
        for jointure, school_id in self.school_by_structure.items():
            self.structures_of_school[school_id].add(jointure)

    def key(self, jointure: str) -> str:
        return f"{self.academie}-{jointure}"

    def apply_file(self, aaf_file: AafFile) -> Iterator[int]:
        for batch in _batches(iter_records(aaf_file), self.batch_size):
            kind = batch[0].kind
            if kind is FileKind.STRUCTURES:
                self._structures(batch)
            elif kind in (FileKind.SUBJECTS, FileKind.MEFS):
                self._referentials(kind, batch)
            elif kind is FileKind.STUDENTS:
                self._people(kind, batch)
            elif kind is FileKind.GUARDIANS:
                self._guardians(batch)
            else:
                self._people(kind, batch)
            yield len(batch)
        if aaf_file.kind is FileKind.STRUCTURES:
            self._load_structures()

    # structures and referentials

    def _structures(self, records: list[AafRecord]) -> None:
        stored = feed_selectors.structures_of(academie=self.academie)
        for record in records:
            assert isinstance(record, Structure)
            previous = stored.get(record.jointure)
            if record.operation is Operation.DELETE:
                self.report.count(FileKind.STRUCTURES, "ignored")
                continue
            checksum = record.content_checksum()
            school_id = (
                self.school_by_uai.get(record.uai)
                if record.uai
                else (previous.school_id if previous else None)
            )
            if previous is not None and previous.checksum == checksum and previous.school_id == school_id:
                self.report.count(FileKind.STRUCTURES, "unchanged")
                continue
            classes = [(c.code, c.label, c.mef_codes[0] if c.mef_codes else "") for c in record.classes]
            groups = [(g.code, g.label) for g in record.groups]
            if record.operation is Operation.MODIFY and previous is not None:
                if not record.carries("ENTStructureClasses"):
                    classes = [(code, code, "") for code in previous.class_codes]
                if not record.carries("ENTStructureGroupes"):
                    groups = [(code, code) for code in previous.group_codes]
            if school_id is not None:
                with schema_context(self.schema_by_school[school_id]):
                    services.directory_structure_sync(classes=classes, groups=groups)
                if previous is None or previous.school_id != school_id:
                    self.new_school_ids.add(school_id)
            feed_services.structure_upsert(
                academie=self.academie,
                jointure=record.jointure,
                uai=record.uai or (previous.uai if previous else ""),
                school_id=school_id,
                class_codes=[c[0] for c in classes],
                group_codes=[g[0] for g in groups],
                checksum=checksum if record.operation is Operation.ADD else "",
            )
            self.report.count(FileKind.STRUCTURES, "created" if previous is None else "updated")

    def _referentials(self, kind: FileKind, records: list[AafRecord]) -> None:
        states = feed_selectors.record_states(
            academie=self.academie, kind=kind.value, jointures=[r.jointure for r in records]
        )
        changed: list[tuple[str, str]] = []
        every: list[tuple[str, str]] = []
        rows: list[RecordStateRow] = []
        for record in records:
            assert isinstance(record, Subject | Mef)
            if record.operation is Operation.DELETE:
                self.report.count(kind, "ignored")
                continue
            pair = (record.jointure, record.label or record.jointure)
            every.append(pair)
            checksum = record.content_checksum()
            state = states.get(record.jointure)
            if state is not None and state.checksum == checksum:
                self.report.count(kind, "unchanged")
                continue
            changed.append(pair)
            rows.append(RecordStateRow(self.academie, kind.value, record.jointure, checksum, None, []))
            self.report.count(kind, "created" if state is None else "updated")
        all_schools = set(self.structures_of_school)
        for school_id in sorted(all_schools):
            # A school that just joined the feed gets every subject and MEF, not only the changed ones.
            pairs = every if school_id in self.new_school_ids else changed
            if pairs:
                with schema_context(self.schema_by_school[school_id]):
                    if kind is FileKind.SUBJECTS:
                        services.directory_referentials_sync(subjects=pairs)
                    else:
                        services.directory_referentials_sync(mefs=pairs)
        feed_services.record_states_save(rows=rows)

    # people

    def _schools_of(self, record: AafRecord, state: Any) -> list[int]:
        jointures: list[str] = []
        if isinstance(record, Student):
            if record.operation is Operation.ADD or record.carries("ENTPersonStructRattach"):
                jointures = [*record.structure_jointures, *(c.structure_jointure for c in record.classes)]
            else:
                return sorted(state.school_ids) if state is not None else []
        elif isinstance(record, Staff):
            fields = ("ENTPersonStructRattach", "ENTPersonFonctions")
            if record.operation is Operation.ADD or any(record.carries(f) for f in fields):
                jointures = [
                    *record.structure_jointures,
                    *(f.structure_jointure for f in record.functions),
                    *(s.structure_jointure for s in (*record.class_services, *record.group_services)),
                ]
            else:
                return sorted(state.school_ids) if state is not None else []
        schools = {self.school_by_structure[j] for j in jointures if j in self.school_by_structure}
        return sorted(schools)

    def _people(self, kind: FileKind, records: list[AafRecord]) -> None:
        states = feed_selectors.record_states(
            academie=self.academie, kind=kind.value, jointures=[r.jointure for r in records]
        )
        changed: list[_Changed] = []
        deleted: list[Any] = []
        for record in records:
            state = states.get(record.jointure)
            if record.operation is Operation.DELETE:
                if state is not None and state.marked_at is None:
                    deleted.append(state)
                continue
            if record.operation is Operation.ADD:
                self.seen[kind].add(record.jointure)
            schools = self._schools_of(record, state)
            if not schools and (state is None or not state.school_ids):
                self.report.count(kind, "ignored")  # only in schools that are not on the platform
                continue
            checksum = record.content_checksum() if record.operation is Operation.ADD else ""
            if (
                state is not None
                and checksum
                and state.checksum == checksum
                and state.marked_at is None
                and sorted(state.school_ids) == schools
            ):
                self.report.count(kind, "unchanged")
                continue
            changed.append(_Changed(record, state, schools, checksum))
        if changed:
            self._apply_people(kind, changed)
        if deleted:
            self._mark(kind, deleted)

    def _identity(self, record: AafRecord, account_id: int | None = None) -> DirectoryIdentity:
        assert isinstance(record, Student | Staff | Guardian)
        names = record.operation is Operation.ADD or record.carries("sn") or record.carries("givenName")
        return DirectoryIdentity(
            key=self.key(record.jointure),
            ine=record.ine if isinstance(record, Student) else "",
            first_name=record.first_name,
            last_name=record.last_name,
            email="" if isinstance(record, Student) else record.email,
            update_identity=names,
            account_id=account_id,
        )

    def _apply_people(self, kind: FileKind, changed: list[_Changed]) -> None:
        # Accounts first (public), then each school's rows, then the states.
        resolved = self._resolve_accounts(changed)
        guardian_accounts = self._guardian_accounts(changed) if kind is FileKind.STUDENTS else {}
        by_school: dict[int, list[PersonSync]] = defaultdict(list)
        ending: dict[int, list[int]] = defaultdict(list)
        moved_links = self._links_of_movers(changed) if kind is FileKind.STUDENTS else {}
        for item, account in zip(changed, resolved, strict=True):
            item.account_id, item.display_name = account.account_id, account.display_name
            if account.merged:
                self.report.count(kind, "merged")
            previous = set(item.state.school_ids) if item.state is not None else set()
            for school_id in item.schools:
                sync = (
                    self._student_sync(item, school_id, guardian_accounts, moved_links)
                    if kind is FileKind.STUDENTS
                    else self._staff_sync(item, school_id)
                )
                by_school[school_id].append(sync)
            for school_id in previous - set(item.schools):
                ending[school_id].append(item.account_id)
        self._write_schools(by_school, ending)
        feed_services.record_states_save(
            rows=[
                RecordStateRow(
                    self.academie, kind.value, c.record.jointure, c.checksum, c.account_id, c.schools
                )
                for c in changed
            ]
        )
        for item in changed:
            self.report.count(kind, "created" if item.state is None else "updated")

    def _resolve_accounts(self, changed: list[_Changed]) -> list[DirectoryAccount]:
        # The state's account wins: a delta line may carry neither the INE nor the key of an alias.
        return accounts_upsert_from_directory(
            identities=[
                self._identity(c.record, c.state.account_id if c.state is not None else None) for c in changed
            ]
        )

    def _write_schools(
        self, by_school: Mapping[int, list[PersonSync]], ending: Mapping[int, list[int]]
    ) -> None:
        today = timezone.localdate()
        for school_id in sorted(set(by_school) | set(ending)):
            with schema_context(self.schema_by_school[school_id]):
                ended: list[int] = []
                if ending.get(school_id):
                    ended = services.people_membership_end(account_ids=ending[school_id], on=today)
                entries: list[tuple[int, int, Sequence[str], Sequence[str]]] = []
                if by_school.get(school_id):
                    synced = services.people_sync_from_directory(people=by_school[school_id])
                    ended += synced.ended_account_ids
                    entries = [
                        (p.account_id, school_id, p.roles or (), p.profiles or ())
                        for p in by_school[school_id]
                        if p.roles is not None
                    ]
                    entries += [
                        (account_id, school_id, (Role.GUARDIAN,), (NationalProfile.TUT,))
                        for account_id in synced.joined_account_ids
                    ]
            school_accesses_add(entries=entries)
            if ended:
                school_accesses_remove(school_id=school_id, account_ids=ended)
                self.report.counts["ended"] += len(ended)

    def _guardian_accounts(self, changed: list[_Changed]) -> dict[str, tuple[int, str]]:
        """Account (id, name) of every responsable linked by these pupils; created when still unknown."""
        jointures = sorted(
            {
                link.guardian_jointure
                for c in changed
                if isinstance(c.record, Student)
                and (c.record.operation is Operation.ADD or c.record.carries("ENTElevePersRelEleve"))
                for link in c.record.guardian_links
            }
        )
        if not jointures:
            return {}
        accounts = accounts_upsert_from_directory(
            identities=[DirectoryIdentity(key=self.key(j), update_identity=False) for j in jointures]
        )
        return {j: (a.account_id, a.display_name) for j, a in zip(jointures, accounts, strict=True)}

    def _links_of_movers(self, changed: list[_Changed]) -> dict[int, list[tuple[int, str, str, bool]]]:
        """A pupil moving school in a delta without its links: read them in the school it leaves."""
        movers: dict[int, list[int]] = defaultdict(list)
        for c in changed:
            record = c.record
            if (
                isinstance(record, Student)
                and record.operation is Operation.MODIFY
                and not record.carries("ENTElevePersRelEleve")
                and c.state is not None
                and c.state.account_id is not None
                and set(c.schools) - set(c.state.school_ids)
            ):
                for school_id in c.state.school_ids:
                    movers[school_id].append(c.state.account_id)
        links: dict[int, list[tuple[int, str, str, bool]]] = {}
        for school_id, account_ids in movers.items():
            with schema_context(self.schema_by_school[school_id]):
                links.update(selectors.guardian_links_of(account_ids=account_ids))
        return links

    def _student_sync(
        self,
        item: _Changed,
        school_id: int,
        guardian_accounts: Mapping[str, tuple[int, str]],
        moved_links: Mapping[int, list[tuple[int, str, str, bool]]],
    ) -> PersonSync:
        record = item.record
        assert isinstance(record, Student)
        here = self.structures_of_school[school_id]
        is_add = record.operation is Operation.ADD
        is_new_here = item.state is None or school_id not in item.state.school_ids
        guardians: tuple[GuardianLinkSync, ...] | None = None
        if is_add or record.carries("ENTElevePersRelEleve"):
            guardians = tuple(
                GuardianLinkSync(
                    account_id=guardian_accounts[link.guardian_jointure][0],
                    display_name=guardian_accounts[link.guardian_jointure][1],
                    kind=_guardian_kind(link, position),
                    has_parental_rights=link.gives_parental_rights,
                )
                for position, link in enumerate(record.guardian_links)
            )
        elif is_new_here and item.account_id in moved_links:
            guardians = tuple(
                GuardianLinkSync(account_id=g, display_name=name, kind=kind, has_parental_rights=rights)
                for g, name, kind, rights in moved_links[item.account_id]
            )
        names = is_add or record.carries("sn") or record.carries("givenName")
        return PersonSync(
            account_id=item.account_id,
            display_name=item.display_name if names or is_new_here else None,
            roles=(Role.STUDENT,) if is_add or is_new_here else None,
            profiles=(NationalProfile.ELV,) if is_add or is_new_here else None,
            class_codes=(
                tuple(c.code for c in record.classes if c.structure_jointure in here)
                if is_add or record.carries("ENTEleveClasses")
                else None
            ),
            group_codes=(
                tuple(g.code for g in record.groups if g.structure_jointure in here)
                if is_add or record.carries("ENTEleveGroupes")
                else None
            ),
            guardians=guardians,
        )

    def _staff_sync(self, item: _Changed, school_id: int) -> PersonSync:
        record = item.record
        assert isinstance(record, Staff)
        here = self.structures_of_school[school_id]
        is_add = record.operation is Operation.ADD
        is_new_here = item.state is None or school_id not in item.state.school_ids
        profiles: tuple[str, ...] | None = None
        roles: tuple[str, ...] | None = None
        functions: tuple[str, ...] | None = None
        if is_add or is_new_here or record.carries("ENTPersonFonctions"):
            staff_profiles = record.profiles(_function_profiles())
            codes = {code for j in here for code in staff_profiles.by_structure.get(j, ())}
            if not codes:
                codes = {"ENS" if record.is_teacher else "ETA"}
            profiles = tuple(NationalProfile(f"National_{code}") for code in sorted(codes))
            roles = tuple(sorted({PROFILE_ROLES[code] for code in codes}))
            local = {
                FUNCTION_LOCAL[f.function_code]
                for f in record.functions
                if f.structure_jointure in here and f.function_code in FUNCTION_LOCAL
            }
            if any(ref.structure_jointure in here for ref in record.main_teacher_classes):
                local.add(LocalFunction.MAIN_TEACHER)
            functions = tuple(sorted(local))
        services_here: tuple[tuple[str, str | None, str | None], ...] | None = None
        if is_add or record.carries("ENTAuxEnsClassesMatieres") or record.carries("ENTAuxEnsGroupesMatieres"):
            services_here = tuple(
                (s.subject_code, s.code, None) for s in record.class_services if s.structure_jointure in here
            ) + tuple(
                (s.subject_code, None, s.code) for s in record.group_services if s.structure_jointure in here
            )
        names = is_add or record.carries("sn") or record.carries("givenName")
        return PersonSync(
            account_id=item.account_id,
            display_name=item.display_name if names or is_new_here else None,
            roles=roles,
            profiles=profiles,
            functions=functions,
            services=services_here,
        )

    def _guardians(self, records: list[AafRecord]) -> None:
        """Parents only exist here through their children: names are updated where a child links them."""
        states = feed_selectors.record_states(
            academie=self.academie, kind=FileKind.GUARDIANS.value, jointures=[r.jointure for r in records]
        )
        keys = {self.key(r.jointure): r for r in records}
        account_ids = feed_selectors.account_ids_by_directory_keys(keys=list(keys))
        for known in states.values():
            if known.account_id is not None:
                account_ids.setdefault(self.key(known.jointure), known.account_id)
        schools_of = feed_selectors.school_ids_of_accounts(account_ids=list(account_ids.values()))
        academie_schools = set(self.structures_of_school)
        changed: list[_Changed] = []
        deleted: list[Any] = []
        for record in records:
            state = states.get(record.jointure)
            if record.operation is Operation.DELETE:
                if state is not None and state.marked_at is None:
                    deleted.append(state)
                continue
            if record.operation is Operation.ADD:
                self.seen[FileKind.GUARDIANS].add(record.jointure)
            account_id = account_ids.get(self.key(record.jointure))
            schools = sorted(set(schools_of.get(account_id, ())) & academie_schools) if account_id else []
            if not schools:
                self.report.count(FileKind.GUARDIANS, "ignored")  # no child on the platform
                continue
            checksum = record.content_checksum() if record.operation is Operation.ADD else ""
            if (
                state is not None
                and checksum
                and state.checksum == checksum
                and state.marked_at is None
                and sorted(state.school_ids) == schools
            ):
                self.report.count(FileKind.GUARDIANS, "unchanged")
                continue
            changed.append(_Changed(record, state, schools, checksum))
        if changed:
            resolved = self._resolve_accounts(changed)
            by_school: dict[int, list[PersonSync]] = defaultdict(list)
            for item, account in zip(changed, resolved, strict=True):
                item.account_id = account.account_id
                names = item.record.operation is Operation.ADD or item.record.carries("sn")
                for school_id in item.schools:
                    by_school[school_id].append(
                        PersonSync(
                            account_id=account.account_id,
                            display_name=account.display_name if names else None,
                        )
                    )
            self._write_schools(by_school, {})
            feed_services.record_states_save(
                rows=[
                    RecordStateRow(
                        self.academie,
                        FileKind.GUARDIANS.value,
                        c.record.jointure,
                        c.checksum,
                        c.account_id,
                        c.schools,
                    )
                    for c in changed
                ]
            )
            for item in changed:
                self.report.count(FileKind.GUARDIANS, "created" if item.state is None else "updated")
        if deleted:
            self._mark(FileKind.GUARDIANS, deleted)

    # removal, step 1

    def _mark(self, kind: FileKind, states: Sequence[Any]) -> None:
        by_school: dict[int, list[int]] = defaultdict(list)
        for state in states:
            for school_id in state.school_ids:
                if state.account_id is not None and school_id in self.schema_by_school:
                    by_school[school_id].append(state.account_id)
        for school_id, account_ids in sorted(by_school.items()):
            with schema_context(self.schema_by_school[school_id]):
                services.people_mark_for_deletion(account_ids=account_ids, at=self.now)
        feed_services.record_states_mark(state_ids=[s.pk for s in states], at=self.now)
        self.report.count(kind, "marked", len(states))

    def mark_missing(self) -> None:
        """Full export: whoever of the académie it no longer lists is marked (never for a kind it lacks)."""
        missing = {
            kind: [
                _StateRef(pk, account_id, school_ids)
                for pk, account_id, school_ids in feed_selectors.record_states_not_seen(
                    academie=self.academie, kind=kind.value, seen=self.seen[kind]
                )
            ]
            for kind in PEOPLE_KINDS
            if kind in self.file_set.kinds
        }
        self._mass_change_guard([state for states in missing.values() for state in states])
        for kind, states in missing.items():
            if states:
                self._mark(kind, states)

    def _mass_change_guard(self, states: Sequence[_StateRef]) -> None:
        """Refuse to remove more than MBN_AAF_MASS_CHANGE_RATIO of any school's active people at once."""
        leaving: dict[int, set[int]] = defaultdict(set)
        for state in states:
            for school_id in state.school_ids:
                if state.account_id is not None and school_id in self.schema_by_school:
                    leaving[school_id].add(state.account_id)
        uai_by_school = {school_id: uai for uai, school_id in self.school_by_uai.items()}
        for school_id, account_ids in sorted(leaving.items()):
            with schema_context(self.schema_by_school[school_id]):
                active = selectors.active_people_count()
            if active and len(account_ids) > active * settings.MBN_AAF_MASS_CHANGE_RATIO:
                self.report.rejection = {
                    "file": None,
                    "line": None,
                    "record_index": None,
                    "record_id": uai_by_school.get(school_id),
                    "code": "mass_change",
                    "reason": (
                        f"l'export retirerait {len(account_ids)} personnes sur {active} de l'établissement "
                        f"{uai_by_school.get(school_id)} ; aucune suppression n'est faite : vérifiez que "
                        "l'export est complet"
                    ),
                }
                raise AafImportRejected(self.report.rejection, self.report)


@dataclass(frozen=True, slots=True)
class _StateRef:
    pk: int
    account_id: int | None
    school_ids: list[int]


def _guardian_kind(link: GuardianLink, position: int) -> str:
    if link.legal_responsibility is LegalResponsibility.LEGAL_REPRESENTATIVE:
        return GuardianKind.LEGAL_1 if position == 0 else GuardianKind.LEGAL_2
    if link.is_financial:
        return GuardianKind.FINANCIAL
    return GuardianKind.CONTACT


# --- removal, step 2 ----------------------------------------------------------------------------------


def _remove_marked(report: ImportReport, platform: Mapping[str, tuple[int, str]]) -> None:
    """People marked longer ago than the grace period leave their schools; their accounts stay."""
    report.counts["removed"] += directory_removals_apply(platform=platform)


def directory_removals_apply(*, platform: Mapping[str, tuple[int, str]] | None = None) -> int:
    """Second step of the two-step removal, also callable on its own (e.g. from a periodic task)."""
    platform = platform if platform is not None else feed_selectors.platform_schools_by_uai()
    schema_by_school = {school_id: schema for school_id, schema in platform.values()}
    before = timezone.now() - datetime.timedelta(days=settings.MBN_AAF_DELETION_GRACE_DAYS)
    due = feed_selectors.record_states_marked_before(before=before)
    if not due:
        return 0
    by_school: dict[int, list[int]] = defaultdict(list)
    for _, account_id, school_ids in due:
        for school_id in school_ids:
            if account_id is not None and school_id in schema_by_school:
                by_school[school_id].append(account_id)
    today = timezone.localdate()
    for school_id, account_ids in sorted(by_school.items()):
        with schema_context(schema_by_school[school_id]):
            ended = services.people_membership_end(account_ids=account_ids, on=today)
        school_accesses_remove(school_id=school_id, account_ids=ended)
    feed_services.record_states_delete(state_ids=[pk for pk, _, _ in due])
    accounts_deactivate_without_school(account_ids=[a for _, a, _ in due if a is not None])
    return len(due)


# --- a stored run (admin page task, command line) ------------------------------------------------------


def aaf_import_run(
    *, run_id: int, path: str | os.PathLike[str] | None = None, on_progress: ProgressCallback | None = None
) -> ImportReport:
    """Run the import of a stored `AafImportRun` and keep its progress and report on the run row.

    Raises ``AafImportRejected`` after storing the rejection, so that the command line exits non-zero.
    """
    run = feed_selectors.import_run_get(run_id=run_id)
    source = path if path is not None else run.stored_path
    feed_services.import_run_start(run_id=run_id, files=[], academies=[], is_delta=False, total=0)
    last_written = [0]

    def progress(done: int, total: int, phase: str) -> None:
        if on_progress is not None:
            on_progress(done, total, phase)
        # Inside a file's transaction the row would only show at commit: written between files.
        if not transaction.get_connection().in_atomic_block and (
            done - last_written[0] >= 1000 or done == total
        ):
            last_written[0] = done
            feed_services.import_run_progress(run_id=run_id, done=done, total=total, phase=phase)

    try:
        report = aaf_import(source, allowed_uais=run.allowed_uais, on_progress=progress)
    except AafImportRejected as exc:
        rejected = exc.report or ImportReport(rejection=exc.rejection)
        feed_services.import_run_finish(
            run_id=run_id,
            status="rejected",
            counts=rejected.totals(),
            report=rejected.as_dict(),
            rejection=exc.rejection,
        )
        raise
    except Exception:
        logger.exception("aaf.failed", extra={"run_id": run_id})
        feed_services.import_run_finish(
            run_id=run_id,
            status="failed",
            counts={},
            report={},
            rejection={"code": "technical_error", "reason": "erreur technique pendant l'import, relancez-le"},
        )
        raise
    feed_services.import_run_start(
        run_id=run_id,
        files=report.files,
        academies=report.academies,
        is_delta=report.is_delta,
        total=report.records,
    )
    feed_services.import_run_finish(
        run_id=run_id, status="done", counts=report.totals(), report=report.as_dict(), rejection=None
    )
    return report


# --- benchmark baseline --------------------------------------------------------------------------------


def aaf_copy_baseline(path: str | os.PathLike[str]) -> tuple[int, float]:
    """Same files, same parser, people rows COPied into one temporary table: (rows, seconds).

    The reference for ``mbn bench aaf``: what reading the export and writing one row per person costs
    with no lookups, no diff and no per-school work.
    """
    import time

    started = time.perf_counter()
    rows = 0
    with transaction.atomic(), transaction.get_connection().cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE aaf_copy_baseline "
            "(kind text, jointure text, last_name text, first_name text, structures text) ON COMMIT DROP"
        )
        with cursor.copy(
            "COPY aaf_copy_baseline (kind, jointure, last_name, first_name, structures) FROM STDIN"
        ) as copy:
            for aaf_file in read_archive(path):
                if aaf_file.kind not in PEOPLE_KINDS:
                    continue
                for record in iter_records(aaf_file):
                    assert isinstance(record, Student | Guardian | Staff)
                    structures = getattr(record, "structure_jointures", ())
                    copy.write_row(
                        (
                            record.kind.value,
                            record.jointure,
                            record.last_name,
                            record.first_name,
                            ",".join(structures),
                        )
                    )
                    rows += 1
    return rows, time.perf_counter() - started
