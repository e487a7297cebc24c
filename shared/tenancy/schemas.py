from __future__ import annotations

from ninja import Schema


class SchoolOut(Schema):
    uai: str
    name: str
    kind: str
    kind_label: str
    sector: str
    commune: str
    departement_code: str
    academie: str
    url: str
