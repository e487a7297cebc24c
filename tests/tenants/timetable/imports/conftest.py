"""Helpers for the timetable import parser tests: sample files and error assertions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tenants.timetable.imports import TimetableImportError


def line_of(data: bytes | str, needle: str, *, encoding: str = "utf-8") -> int:
    """1-based line of the first occurrence of ``needle`` in ``data``."""
    text = data.decode(encoding) if isinstance(data, bytes) else data
    index = text.index(needle)
    return text.count("\n", 0, index) + 1


@pytest.fixture
def rejected() -> Callable[..., TimetableImportError]:
    """Call ``parse(*args, **kwargs)``, assert it raises, return the error after common checks."""

    def check(parse: Callable[..., Any], *args: Any, code: str, **kwargs: Any) -> TimetableImportError:
        with pytest.raises(TimetableImportError) as caught:
            parse(*args, **kwargs)
        error = caught.value
        assert error.code == code, str(error)
        assert error.file
        assert error.reason
        assert error.reason[0].islower()
        assert error.line is not None or error.element is not None or code in {"empty_file", "bad_archive"}
        return error

    return check
