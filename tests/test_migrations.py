"""Models and migrations agree (ARCHITECTURE §9): a model change without its migration fails here."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

OUR_APPS = [
    "tenancy",
    "collectivites",
    "catalogue",
    "accounts",
    "directory_feed",
    "audit",
    "directory",
    "ent",
    "timetable",
]


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    output = StringIO()
    # exits non-zero (SystemExit) when a migration is missing
    call_command("makemigrations", *OUR_APPS, check=True, dry_run=True, stdout=output)
    assert "No changes detected" in output.getvalue()
