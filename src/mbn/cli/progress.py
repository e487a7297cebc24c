"""Progress bars for long commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[Any, str | None], None]]:
    """A bar advanced by the callback it yields, which also prints each failure as it happens."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(label, total=total)

        def advance(item: Any, error: str | None) -> None:
            if error:
                bar.console.print(f"[red]Échec[/red] {item} : {error}")
            bar.advance(task)

        yield advance


def setup_django() -> None:
    import django

    django.setup()
