"""Tests of the AAF parsing benchmark helper."""

from __future__ import annotations

from pathlib import Path

from tenants.directory.imports.aaf_bench import parse_throughput
from tenants.directory.imports.aaf_generator import generate


def test_parse_throughput_counts_records_and_measures_a_flat_rss(tmp_path: Path) -> None:
    # given a generated export of 10,000 people (≈ 12 MB of XML, pupils and parents in one file each)
    generated = generate(tmp_path, people=10_000, seed=9, uais=["0679901Y"], chunk_size=1_000_000)
    xml_bytes = sum(path.stat().st_size for path in generated.files)

    # when its parsing is measured in a fresh process
    measure = parse_throughput(tmp_path)

    # then every record is counted, speed is reported, and parsing did not hold the document
    assert measure["records_Eleve"] == generated.students
    assert measure["records_PersRelEleve"] == generated.guardians
    assert measure["records_PersEducNat"] == generated.teachers + generated.other_staff
    assert measure["bytes"] == xml_bytes
    assert measure["records_per_second"] > 0
    assert measure["peak_rss_bytes"] >= measure["baseline_rss_bytes"] > 0
    # a retained tree would cost several times the XML size in libxml2 memory
    assert measure["parse_rss_growth_bytes"] < xml_bytes / 2
