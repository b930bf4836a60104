"""Who had it first, and who took it from whom, inside one story.

The original is the member with the earliest trustworthy date; ties go to the
stronger date source (a header beats a photo caption), then to wire evidence (an
agency credited in the dateline or byline) and a dateline of its own. Every later
member points to the earlier member it is most strongly linked to, if that link is
a copy or a rewrite; otherwise it is independent reporting of the same event.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from storyfold.link import DEFAULT_THRESHOLDS, LinkThresholds, link
from storyfold.model import Article, Fingerprint, Link, Membership

_DATE_TRUST = {"header": 0, "metadata": 0, "dateline": 1, "text": 2, "caption": 3}
_KIND_STRENGTH = {"exact": 3.0, "near": 2.0, "rewrite": 1.0}
MAX_PAIRWISE = 60  # above this many members, compare each one with its nearest only
NEAREST = 25


def _day(a: Article) -> date:
    return a.published.date() if a.published else date.max


def priority(a: Article) -> tuple:
    """Sort key: who is most plausibly first."""
    wire = any(c.where in {"dateline", "byline", "text"} for c in a.credits)
    return (
        _day(a),
        _DATE_TRUST.get(a.published_from or "", 4),
        0 if wire else 1,
        0 if a.dateline else 1,
        0 if a.credits else 1,
        a.id,
    )


def story_links(
    articles: list[Article], fps: dict[str, Fingerprint], t: LinkThresholds = DEFAULT_THRESHOLDS
) -> list[Link]:
    """All edges worth keeping inside a story (pairwise, or nearest neighbours when large)."""
    ids = [a.id for a in articles if a.id in fps]
    pairs: set[tuple[str, str]] = set()
    if len(ids) <= MAX_PAIRWISE:
        pairs = {(x, y) for i, x in enumerate(ids) for y in ids[i + 1 :]}
    else:
        emb = np.stack([fps[i].embedding for i in ids])
        sims = emb @ emb.T
        for i, x in enumerate(ids):
            for j in np.argsort(-sims[i])[1 : NEAREST + 1]:
                pairs.add(tuple(sorted((x, ids[int(j)]))))
    out = []
    for x, y in sorted(pairs):
        ln = link(fps[x], fps[y], t)
        if ln is not None:
            out.append(ln)
    return out


def headline_for(articles: list[Article], original: Article) -> str | None:
    """A title when members have one, else the original's first sentence, shortened."""
    if original.title:
        return original.title
    titled = next((a.title for a in articles if a.title), None)
    if titled:
        return titled
    body = re.sub(r"^[A-Z][A-Z .'’\-]+(,[^—–]{0,40})?\s*[—–-]\s*", "", original.text.strip())
    first = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:14]) + ("…" if len(words) > 14 else "") if words else None


def provenance(
    articles: list[Article], fps: dict[str, Fingerprint], t: LinkThresholds = DEFAULT_THRESHOLDS
) -> tuple[list[Membership], list[Link], str | None]:
    """Roles, derivation edges and a headline for one story's members."""
    if not articles:
        return [], [], None
    ordered = sorted(articles, key=priority)
    rank = {a.id: i for i, a in enumerate(ordered)}
    links = story_links(ordered, fps, t)
    by_article: dict[str, list[Link]] = {}
    for ln in links:
        by_article.setdefault(ln.a, []).append(ln)
        by_article.setdefault(ln.b, []).append(ln)
    original = ordered[0]
    members = [Membership(original.id, "original", None, _evidence(original, None))]
    directed: dict[tuple[str, str], Link] = {}
    for a in ordered[1:]:
        best: tuple[float, Link, str] | None = None
        for ln in by_article.get(a.id, []):
            other = ln.b if ln.a == a.id else ln.a
            if rank[other] > rank[a.id] or ln.kind not in _KIND_STRENGTH:
                continue
            strength = _KIND_STRENGTH[ln.kind] + ln.score
            if best is None or strength > best[0]:
                best = (strength, ln, other)
        if best is None:
            members.append(Membership(a.id, "independent", None, _evidence(a, None)))
            continue
        _, ln, parent = best
        role = "rewrite" if ln.kind == "rewrite" else "copy"
        members.append(Membership(a.id, role, parent, _evidence(a, ln)))
        directed[(ln.a, ln.b)] = Link(ln.a, ln.b, ln.kind, ln.score, direction=(parent, a.id))
    final_links = [directed.get((ln.a, ln.b), ln) for ln in links]
    return members, final_links, headline_for(ordered, original)


def _evidence(a: Article, ln: Link | None) -> dict:
    ev: dict = {
        "published": a.published.isoformat() if a.published else None,
        "published_from": a.published_from,
        "credits": [f"{c.agency} ({c.where})" for c in a.credits],
        "dateline": a.dateline,
    }
    if ln is not None:
        ev["link"] = {"kind": ln.kind, "score": ln.score}
    return ev
