"""Bulk writes Django does slowly: updating many rows with different values.

``QuerySet.bulk_update`` builds one ``CASE WHEN pk=… THEN …`` per field and per row; on a batch of
2 000 directory records that costs seconds of Python before the database sees anything. Here one
``UPDATE … FROM (VALUES …)`` per batch, linear in rows. Tables are named without schema: the
current search path (the school being written) resolves them, as for the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import connections, router
from django.db.models import Field, Model


def bulk_update_rows(objects: Sequence[Model], fields: Sequence[str], *, batch_size: int = 1000) -> int:
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
    casts = [pk.cast_db_type(connection), *(field.cast_db_type(connection) for field in columns)]
    names = [quote(str(pk.column)), *(quote(str(field.column)) for field in columns)]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    row_sql = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start : start + batch_size]
            params: list[Any] = []
            for obj in batch:
                params.append(pk.get_db_prep_save(obj.pk, connection))
                params.extend(
                    field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns
                )
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names come from the model
                f"FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v({', '.join(names)}) "
                f"WHERE t.{names[0]} = v.{names[0]}",
                params,
            )
            updated += cursor.rowcount
    return updated
