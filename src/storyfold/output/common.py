"""What the terminal and Markdown renderings of a story share: numbering, dates, counts.

Both render the JSON-ready dict of `output.json.story_detail`, so what a reader sees is
exactly what `--json` gives a program. Articles are numbered in the order of the story's
article list, and every citation, timeline line and quote variant refers to them by that
number.
"""

from __future__ import annotations

from typing import Any


def numbers(data: dict[str, Any]) -> dict[str, int]:
    """Citation number of every article: its place in the story's article list, from 1."""
    return {a["id"]: i for i, a in enumerate(data["articles"], 1)}


def refs(ids: list[str], num: dict[str, int]) -> str:
    return "".join(f"[{num[i]}]" for i in ids if i in num)


def day(iso: str | None) -> str:
    return (iso or "")[:10] or "undated"


def short(text: str, words: int = 30) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def meta_line(data: dict[str, Any]) -> str:
    return (f"{day(data.get('first_seen'))} · {plural(len(data['articles']), 'article')} "
            f"from {plural(len(data['outlets']), 'outlet')}")


def one_source(data: dict[str, Any]) -> bool:
    """Every member derives from one original: then every sentence is single-source, and the
    story says so once instead of marking each sentence."""
    return sum(1 for a in data["articles"] if not a.get("derived_from")) <= 1


ONE_SOURCE = "All of this coverage traces back to one original report."
DAGGER_NOTE = "† one independent source: every citing article derives from one original"


def count(n: int, what: str) -> str:
    return f"{n} new {what if n == 1 else what + 's'}"
