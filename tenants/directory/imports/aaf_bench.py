"""Throughput and memory of AAF parsing alone (no database), for the ``mbn bench`` command line.

The measure runs in a freshly spawned process: its peak RSS then belongs to parsing, not to
whatever the caller loaded before (Django, a generated export, earlier benchmarks). On Linux the
process's RSS high-water mark is also reset just before parsing (``/proc/self/clear_refs``), so
the peak is that of parsing, not of importing lxml.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

from tenants.directory.imports.aaf_parser import iter_records, read_archive


def parse_throughput(directory: str | Path, *, isolated: bool = True) -> dict[str, float | int]:
    """Parse every AAF file of a folder or .zip (``read_archive`` order) and measure it.

    Returns ``records``, ``files``, ``bytes`` (uncompressed XML), ``seconds`` (wall clock),
    ``cpu_seconds``, ``records_per_second``, ``records_per_cpu_second``, ``megabytes_per_second``,
    ``baseline_rss_bytes`` (RSS of the ready process, before parsing), ``peak_rss_bytes`` (while
    parsing when the high-water mark could be reset, else over the process's life),
    ``parse_rss_growth_bytes`` (peak minus baseline), ``peak_is_parsing_only`` (1 when reset) and
    ``records_<Kind>`` per file kind.
    `isolated=False` measures in the calling process (its RSS figures then include the caller's).
    """
    if not isolated:
        return _measure(str(directory))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_measure, (str(directory),))


def _measure(directory: str) -> dict[str, float | int]:
    is_reset = _reset_peak_rss()
    baseline = _current_rss_bytes() if is_reset else _peak_rss_bytes()
    counts: Counter[str] = Counter()
    files = 0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    for aaf_file in read_archive(directory):
        files += 1
        for record in iter_records(aaf_file):
            counts[record.kind.value] += 1
    seconds = time.perf_counter() - wall_start
    cpu_seconds = time.process_time() - cpu_start
    peak = _peak_rss_bytes()
    records = sum(counts.values())
    size = _xml_bytes(Path(directory))
    return {
        "records": records,
        "files": files,
        "bytes": size,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "records_per_second": records / seconds if seconds else 0.0,
        "records_per_cpu_second": records / cpu_seconds if cpu_seconds else 0.0,
        "megabytes_per_second": size / 1e6 / seconds if seconds else 0.0,
        "baseline_rss_bytes": baseline,
        "peak_rss_bytes": peak,
        "parse_rss_growth_bytes": peak - baseline,
        "peak_is_parsing_only": int(is_reset),
        **{f"records_{kind}": count for kind, count in sorted(counts.items())},
    }


_PROC_STATUS = Path("/proc/self/status")


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux ≥ 4.0: VmHWM := current RSS
    except OSError:
        return False
    return True


def _proc_status_bytes(field: str) -> int | None:
    try:
        lines = _PROC_STATUS.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024  # "VmHWM:   30300 kB"
    return None


def _current_rss_bytes() -> int:
    return _proc_status_bytes("VmRSS") or _peak_rss_bytes()


def _peak_rss_bytes() -> int:
    high_water_mark = _proc_status_bytes("VmHWM")
    if high_water_mark is not None:
        return high_water_mark
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux counts in KiB, macOS in bytes


def _xml_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".xml")
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist() if info.filename.lower().endswith(".xml"))
