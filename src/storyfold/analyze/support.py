"""How widely something is reported: independent reporting lines, not articles.

An original and everything copied or rewritten from it is one line of reporting: five
articles that all derive from one wire story are one source. One rule, used by the claims
list, the summary badges, the web page and the JSON, so that a sentence is never "single
source" in one place and confirmed in another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def reporting_lines(articles: Iterable[str], roots: Mapping[str, str]) -> int:
    """How many independent lines the articles belong to (`roots`: article → its original)."""
    return len({roots.get(a, a) for a in articles})


def support_label(lines: int, articles: int) -> str:
    """"2 independent reports (5 articles)", "1 report (3 articles)", "1 article"."""
    if articles <= 1:
        return "1 article"
    if lines <= 1:
        return f"1 report ({articles} articles)"
    return f"{lines} independent reports ({articles} articles)"
