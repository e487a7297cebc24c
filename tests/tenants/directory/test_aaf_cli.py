"""`mbn aaf generate` and `mbn aaf import` as an operator runs them (subprocess, same test database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection

from tests.conftest import SchoolHandle

OUTSIDE_UAI = "0679999E"  # a Bas-Rhin collège that is not on the platform: its people are ignored


def _mbn(*args: str) -> subprocess.CompletedProcess[str]:
    settings = connection.settings_dict
    host = settings["HOST"]
    url = (
        f"postgresql://{settings['USER']}@/{settings['NAME']}?host={host}"
        if host.startswith("/")
        else f"postgresql://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "MBN_ENV": "test", "MBN_LOG_FORMAT": "console"}
    return subprocess.run(
        [sys.executable, "-m", "mbn.cli.main", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_generates_then_imports_and_refuses_a_broken_file(tmp_path: Path, school_a: SchoolHandle) -> None:
    # given a tiny generated export for a collège outside the platform
    generated = _mbn(
        "aaf", "generate", "--people", "30", "--out", str(tmp_path / "ok"), "--uais", OUTSIDE_UAI
    )
    assert generated.returncode == 0, generated.stderr
    assert "30 personnes" in generated.stderr

    # when it is imported with --json, then a broken copy of it
    imported = _mbn("aaf", "import", str(tmp_path / "ok"), "--json")
    broken = tmp_path / "ok" / "STRASBOURG"
    pupils = next(broken.glob("*_Eleve_0000.xml"))
    pupils.write_text(pupils.read_text().replace("</ficAlimMENESR>", "<addRequest>"))
    refused = _mbn("aaf", "import", str(tmp_path / "ok"))

    # then the report is printed (people ignored: unknown UAI) and the broken file is refused in French
    assert imported.returncode == 0, imported.stderr
    report: dict[str, Any] = json.loads(imported.stdout.strip().splitlines()[-1])
    assert report["counts"]["ignored"] == 30
    assert report["counts"]["rejected"] == 0
    assert "créés" in imported.stderr
    assert "inchangés" in imported.stderr
    assert refused.returncode == 1
    assert "Échec : Import refusé : " in refused.stderr
    assert "[not_xml]" in refused.stderr
