"""The largest configurations the controls allow, each with its target (issue 15). Filled in below."""

from __future__ import annotations


def bench(report, quick: bool) -> None:
    pass


def bench_window_figures(report, quick: bool) -> None:
    bench(report, quick)
