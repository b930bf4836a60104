"""User search text as a list of words, the same for every backend.

A query typed by a user is words, never query syntax: each backend quotes or binds the words
this returns, so operators, column filters and quotes in the input are just punctuation.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TERMS = 32  # words of a query passed to the full-text index; the rest are dropped

# Left out of "any word" queries, where they would match every article.
OR_SKIP = frozenset(
    "a an and are as at be but by for from had has have he her his in is it its of on or our "
    "she that the their them they this to was we were which who will with you".split()
)


def query_words(text: str, op: str = "AND") -> list[str]:
    """The words of `text` to search for: all of them for "AND"; for "OR" ("any word")
    without the common words that match everything, unless nothing else is left."""
    terms = _WORD.findall(text)[:MAX_QUERY_TERMS]
    if op == "OR":
        terms = [t for t in terms if t.lower() not in OR_SKIP] or terms
    return terms
