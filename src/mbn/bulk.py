"""Bulk writes Django does slowly: updating many rows with different values, inserting many rows.

``QuerySet.bulk_update`` builds one ``CASE WHEN pk=… THEN …`` per field and per row, and
``QuerySet.bulk_create`` one placeholder per value that psycopg then splits and quotes on the client:
on a batch of 2 000 directory records that costs seconds of Python before the database sees anything.
Here one statement per batch with one parameter per column: the rows travel as arrays that PostgreSQL
unpacks with ``unnest`` (``UPDATE … FROM unnest(…)``, ``INSERT … SELECT … FROM unnest(…)``).
Statements run on the caller's connection, inside its transaction. Tables are named without schema:
the current search path (the school being written) resolves them, as for the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

from django.contrib.postgres.fields import ArrayField
from django.db import connections, router
from django.db.models import Field, Model
from django.utils import timezone


def bulk_update_rows(objects: Sequence[Model], fields: Sequence[str], *, batch_size: int = 5000) -> int:
    """Write `fields` of these saved instances (all of one model) in one statement per batch."""
    if not objects:
        return 0
    model = type(objects[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = meta.pk
    assert pk is not None
    columns = [cast("Field[Any, Any]", meta.get_field(name)) for name in fields]  # concrete fields only
    kinds = [_column_of(field, connection) for field in (pk, *columns)]
    names = [quote(str(pk.column)), *(quote(str(field.column)) for field in columns)]
    assignments = ", ".join(
        f"{name} = {_selected(name, field, kinds[i + 1], connection)}"
        for i, (name, field) in enumerate(zip(names[1:], columns, strict=True))
    )
    arrays = ", ".join(f"%s::{kind[0]}[]" for kind in kinds)
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names come from the model
        f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE t.{names[0]} = v.{names[0]}"
    )
    attnames = [pk.attname, *(field.attname for field in columns)]
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start : start + batch_size]
            params = [
                _param([getattr(obj, attname) for obj in batch], kind)
                for attname, kind in zip(attnames, kinds, strict=True)
            ]
            cursor.execute(sql, params)
            updated += cursor.rowcount
    return updated


# --- columns as arrays ---------------------------------------------------------------------------------

# Values psycopg sends as they are; other fields go through Django's own conversion.
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "BigIntegerField",
        "IntegerField",
        "SmallIntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "SlugField",
        "TextField",
        "URLField",
        "DateField",
        "DateTimeField",
        "UUIDField",
        "ForeignKey",
        "OneToOneField",
    }
)


def _quoted(value: Any) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array_text(values: Iterable[Any]) -> str:
    """A one-dimension PostgreSQL array literal (elements quoted, cast to their type by the query).

    Built here and sent as one string: psycopg's list dumper costs several times more per element.
    """
    return (
        "{"
        + ",".join(["NULL" if v is None else str(v) if type(v) is int else _quoted(v) for v in values])
        + "}"
    )


def _array_literal(values: Sequence[Any] | None) -> str | None:
    """An array field's value as its literal (it travels as text)."""
    return None if values is None else _array_text(values)


# How a column travels: (element type, converter of one value or None, sent as one literal string).
# Plain values are written into an array literal here; values Django adapts (rare types) are handed to
# psycopg as a list.
_Column = tuple[str, Callable[[Any], Any] | None, bool]


def _column_of(field: Field[Any, Any], connection: Any) -> _Column:
    """(type the rows travel as, converter of one value or None) for one column."""
    db_type = str(field.cast_db_type(connection))
    internal = field.get_internal_type()
    if isinstance(field, ArrayField):
        assert not isinstance(field.base_field, ArrayField), "nested arrays are not supported"
        return "text", _array_literal, True
    if internal == "JSONField":
        encoder = cast("Any", field).encoder
        return "text", lambda value: None if value is None else json.dumps(value, cls=encoder), True
    if internal in _PLAIN_TYPES:
        return db_type, None, True
    return db_type, lambda value: field.get_db_prep_save(value, connection), False


def _selected(name: str, field: Field[Any, Any], kind: _Column, connection: Any) -> str:
    """The value of column `name` of the unnested rows, cast back when it travelled as text."""
    return f"v.{name}::{field.cast_db_type(connection)}" if kind[0] == "text" else f"v.{name}"


def _param(values: list[Any], kind: _Column) -> str | list[Any]:
    """One column of a batch as one query parameter."""
    _, converter, literal = kind
    converted = values if converter is None else [converter(value) for value in values]
    return _array_text(converted) if literal else converted


def bulk_insert_rows(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    returning: Sequence[str] = (),
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
    ignore_conflicts: bool = False,
    batch_size: int = 5000,
) -> list[tuple[Any, ...]]:
    """Insert rows of `model` (values of `fields` in that order, foreign keys as ids), in batches.

    ``INSERT … SELECT … FROM unnest(%s::type[], …)``: arrays as parameters, so the client neither renders
    nor splits one placeholder per value. The statement runs on the caller's connection, so inside its
    transaction (a failure rolls it back) and in the current search path (the school being written).
    Fields left out take their Python default (``auto_now``/``auto_now_add``: now) or, when they have
    one, their database default. `unique_fields` + `update_fields` make it an upsert
    (``ON CONFLICT … DO UPDATE``), `ignore_conflicts` skips rows that conflict. Returns the values of
    `returning` (e.g. ``("id",)``) for each written row, in the order of `rows`.
    """
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(str(cast("Field[Any, Any]", meta.get_field(name)).column))

    given = [cast("Field[Any, Any]", meta.get_field(name)) for name in fields]
    given_names = {f.name for f in given}
    now = timezone.now()
    constants: list[tuple[Field[Any, Any], Any]] = []
    for field in meta.concrete_fields:
        if field.name in given_names or field.primary_key or field.generated:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constants.append((field, now))
        elif field.has_default():
            constants.append((field, field.get_default()))
        elif field.has_db_default():
            continue  # the column's DEFAULT
        elif field.null:
            constants.append((field, None))
        else:
            raise ValueError(f"{meta.label}.{field.name} has no value and no default")
    columns = [*given, *(field for field, _ in constants)]
    kinds = [_column_of(field, connection) for field in columns]
    names = [quote(str(field.column)) for field in columns]
    arrays = ", ".join(f"%s::{kind[0]}[]" for kind in kinds)
    selected = ", ".join(
        _selected(name, field, kind, connection)
        for name, field, kind in zip(names, columns, kinds, strict=True)
    )
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(names)}) "  # noqa: S608 - names come from the model
        f"SELECT {selected} FROM unnest({arrays}) AS v({', '.join(names)})"
    )
    if update_fields:
        conflict = ", ".join(column(name) for name in unique_fields)
        updates = ", ".join(f"{column(name)} = EXCLUDED.{column(name)}" for name in update_fields)
        sql += f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    elif ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(column(name) for name in returning)
    given_kinds = kinds[: len(given)]
    constant_kinds = kinds[len(given) :]
    written: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for batch in _chunks(rows, batch_size):
            params = [_param([row[index] for row in batch], kind) for index, kind in enumerate(given_kinds)]
            params += [
                _param([value] * len(batch), kind)
                for (_, value), kind in zip(constants, constant_kinds, strict=True)
            ]
            cursor.execute(sql, params)
            if returning:
                written.extend(tuple(row) for row in cursor.fetchall())
    return written


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
