"""Jobs the tests enqueue (a job's function must be importable by path)."""

from __future__ import annotations

from django_tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def fail(message: str) -> None:
    raise ValueError(message)


@task()
def daily(day: str) -> str:
    return f"ran for {day}"
