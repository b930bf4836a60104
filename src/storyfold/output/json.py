"""Stories as plain JSON-ready dicts: one shape for the CLI, the API and exports.

Field names here are a public contract (other tools read them): add, never rename.
`story_detail` adds the comparison and the write-up, which `analyze.service` computes or
reads from its cache.
"""

from __future__ import annotations

from typing import Any

from storyfold.analyze.service import StoryAnalyzer, story_analysis
from storyfold.model import Article, StoryRecord
from storyfold.store.base import Store


def article_json(a: Article, role: str, derived_from: str | None, links: list[dict]) -> dict:
    return {
        "id": a.id,
        "path": a.path,
        "record": a.record,
        "source": a.source,
        "url": a.url,
        "title": a.title,
        "lang": a.lang,
        "published": a.published.isoformat() if a.published else None,
        "published_from": a.published_from,
        "dateline": a.dateline,
        "credits": [{"agency": c.agency, "where": c.where} for c in a.credits],
        "role": role,
        "derived_from": derived_from,
        "links": links,
    }


def story_json(store: Store, rec: StoryRecord, with_evidence: bool = False,
               arts: dict[str, Article] | None = None) -> dict[str, Any]:
    """`arts`: the members' articles, when the caller has already read them."""
    ids = [m.article_id for m in rec.members]
    if arts is None:
        arts = store.articles(ids)
    per: dict[str, list[dict]] = {i: [] for i in ids}
    for ln in rec.links:
        for x, y in ((ln.a, ln.b), (ln.b, ln.a)):
            if x in per:
                entry = {"to": y, "kind": ln.kind, "score": ln.score}
                if ln.direction:
                    entry["direction"] = "from" if ln.direction[1] == x else "to"
                per[x].append(entry)
    articles = []
    for m in rec.members:
        item = article_json(arts[m.article_id], m.role, m.derived_from, per[m.article_id])
        if with_evidence:
            item["evidence"] = m.evidence
        articles.append(item)
    return {
        "id": rec.id,
        "headline": rec.headline,
        "first_seen": rec.first_seen.isoformat() if rec.first_seen else None,
        "last_seen": rec.last_seen.isoformat() if rec.last_seen else None,
        "outlets": sorted({a["source"] for a in articles if a["source"]}),
        "languages": languages(articles),
        # the same event's stories in other languages, with why they are linked
        "linked": [{"story": other, "score": round(score, 4), "evidence": evidence}
                   for other, score, evidence in store.story_links(rec.id)],
        "articles": articles,
    }


def languages(articles: list[dict[str, Any]]) -> dict[str, list[str]]:
    """A story's coverage grouped by language: code → article ids, most articles first
    ("und" for an article whose language is not known)."""
    groups: dict[str, list[str]] = {}
    for a in articles:
        groups.setdefault(a.get("lang") or "und", []).append(a["id"])
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def label_for(a: dict) -> str:
    """What to call an article in a table: outlet, else file name, else id."""
    if a.get("source"):
        return str(a["source"])
    if a.get("path"):
        return str(a["path"]).rsplit("/", 1)[-1]
    return str(a["id"])


def story_detail(store: Store, rec: StoryRecord, embedder: Any = None,
                 analyzer: StoryAnalyzer | None = None) -> dict[str, Any]:
    """One story with evidence, comparison and write-up: the shape of `story ID --json`.

    Adds to `story_json`: `quotes`, `claims`, `conflicts`, `entities` (the comparison),
    `summary`, `timeline`, `events` (the write-up); `headline` is the write-up's. A caller
    that shows many stories passes its `analyzer` (settings, and the members' readings kept
    between stories).
    """
    arts = store.articles([m.article_id for m in rec.members])  # read once, for both
    analysis = story_analysis(store, rec, embedder, arts, analyzer)
    data = story_json(store, rec, with_evidence=True, arts=arts)
    wu = analysis["writeup"]
    data["headline"] = wu.get("headline") or data["headline"]
    for key in ("quotes", "claims", "conflicts", "entities"):
        data[key] = analysis["comparison"][key]
    for key in ("summary", "timeline", "events"):
        data[key] = wu[key]
    return data
