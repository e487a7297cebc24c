"""Helpers shared by the parsers: opening a source, safe XML streaming, values, errors."""

from __future__ import annotations

import datetime
import io
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NoReturn, TypeAlias

from lxml import etree

from .model import TimetableImportError

Source: TypeAlias = "str | os.PathLike[str] | bytes | IO[bytes]"

DEFAULT_FILE_NAME = "fichier"
# A zip member larger than this is refused before being inflated (zip bomb); real STS files are a
# few megabytes, UDT exports less.
MAX_MEMBER_BYTES = 200 * 1024 * 1024
_HHMM_RE = re.compile(r"([0-9]{1,2})\s*[:hH]\s*([0-9]{2})(?:\s*:\s*([0-9]{2}))?")


def file_label(source: Source, file_name: str | None) -> str:
    """Name used in error reports: the given name, else the path's base name."""
    if file_name:
        return os.path.basename(file_name)
    if isinstance(source, str | os.PathLike):
        return os.path.basename(os.fspath(source))
    name = getattr(source, "name", None)
    if isinstance(name, str) and name:
        return os.path.basename(name)
    return DEFAULT_FILE_NAME


def read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | os.PathLike):
        return Path(source).read_bytes()
    return source.read()


def open_binary(source: Source) -> IO[bytes]:
    """A binary stream over the source (paths are opened, bytes wrapped); caller closes it."""
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, str | os.PathLike):
        return open(source, "rb")
    return source


def unzip_members(data: bytes, *, file: str, member_pattern: re.Pattern[str]) -> dict[str, bytes]:
    """Content of every zip member whose base name matches ``member_pattern``, by base name.

    A member larger than ``MAX_MEMBER_BYTES`` is refused before being inflated (zip bomb).
    """
    too_big = TimetableImportError(
        file=file, code="bad_archive", reason="un fichier contenu dans l'archive est trop gros"
    )
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                name = os.path.basename(info.filename)
                if info.is_dir() or not member_pattern.search(name):
                    continue
                if info.file_size > MAX_MEMBER_BYTES:
                    raise too_big
                with archive.open(info) as member:
                    content = member.read(MAX_MEMBER_BYTES + 1)
                if len(content) > MAX_MEMBER_BYTES:
                    raise too_big
                members[name] = content
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise TimetableImportError(
            file=file, code="bad_archive", reason="l'archive zip est illisible ou endommagée"
        ) from exc
    return members


def unzip_single(data: bytes, *, file: str, member_pattern: re.Pattern[str]) -> tuple[bytes, str]:
    """The one member of a zip whose base name matches ``member_pattern``, with its name."""
    members = unzip_members(data, file=file, member_pattern=member_pattern)
    if len(members) != 1:
        raise TimetableImportError(
            file=file,
            code="bad_archive",
            reason=(
                "l'archive ne contient aucun fichier attendu"
                if not members
                else "l'archive contient plusieurs fichiers attendus : déposez-les un par un"
            ),
        )
    ((name, content),) = members.items()
    return content, name


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def iter_xml(stream: IO[bytes], *, file: str) -> Iterator[tuple[str, etree._Element]]:
    """(event, element) from lxml ``iterparse`` with start and end events, safely configured.

    No DTD, no entity expansion, no network (XXE, billion laughs); syntax errors become
    ``not_xml`` with lxml's line number.
    """
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for event, element in events:
            if isinstance(element.tag, str):  # skip entity references and the like
                yield event, element
    except etree.XMLSyntaxError as exc:
        raise TimetableImportError(
            file=file,
            code="not_xml",
            reason="le fichier n'est pas un XML bien formé (balise mal fermée, caractère interdit…)",
            line=exc.lineno or 1,
        ) from exc


def release(element: etree._Element) -> None:
    """Free a processed element and its already-processed previous siblings (flat memory)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def source_line(element: etree._Element) -> int | None:
    """lxml's line of the element's start tag (None when unknown)."""
    line = element.sourceline
    return line if isinstance(line, int) else None


def path_of(element: etree._Element) -> str:
    """Tag path from the root, e.g. ``STS_EDT/DONNEES/STRUCTURE/DIVISIONS/DIVISION``."""
    tags: list[str] = []
    current: etree._Element | None = element
    while current is not None:
        tags.append(str(current.tag))
        current = current.getparent()
    return "/".join(reversed(tags))


def child_text(element: etree._Element, tag: str) -> str:
    child = element.find(tag)
    if child is None or child.text is None:
        return ""
    return child.text.strip()


def parse_iso_date(value: str) -> datetime.date:
    """``AAAA-MM-JJ`` (an optional time part after it is ignored) → date; ValueError otherwise."""
    text = value.strip()
    if "T" in text:
        text = text.split("T", 1)[0]
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(value)
    return datetime.date.fromisoformat(text)


def parse_clock(value: str) -> datetime.time:
    """``08:00``, ``08:00:00``, ``8h00``, ``8H00`` → time; ValueError otherwise."""
    match = _HHMM_RE.fullmatch(value.strip())
    if match is None:
        raise ValueError(value)
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds = int(match.group(3) or 0)
    return datetime.time(hours, minutes, seconds)  # ValueError for 25:00 or 08:61


def minutes_between(start: datetime.time, end: datetime.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


class XmlReader:
    """What the streaming XML readers share: where they read, and how they refuse."""

    def __init__(self, file: str) -> None:
        self.file = file

    def error(
        self, code: str, reason: str, element: etree._Element | None = None, *, path: str = ""
    ) -> NoReturn:
        raise TimetableImportError(
            file=self.file,
            code=code,
            reason=reason,
            line=source_line(element) if element is not None else None,
            element=path or (path_of(element) if element is not None else None),
        )

    def required(self, element: etree._Element, attribute: str, what: str) -> str:
        value = (element.get(attribute) or "").strip()
        if not value:
            self.error("missing_field", f"l'attribut {attribute} ({what}) est absent ou vide", element)
        return value


def class_part_key(division: str, part: str) -> str:
    """Key of a UDT « Groupe » / ``gpe`` (a part of one class): group names repeat between classes."""
    return f"{division}/{part}"
