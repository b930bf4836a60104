"""Story JSON → what the pages draw: cards, diffs, the timeline and the provenance graph.

Pure functions over the story JSON contract (`views.story_json`), so the pages show exactly
what the API returns. Keys that only `views.story_detail` adds (the comparison, `summary`,
`timeline`) are read when present and simply not drawn when absent. Nothing here produces
markup: the templates do, with autoescaping on, so article text can never become HTML.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from storyfold.output.json import label_for
from storyfold.text.tokens import word_spans

ROLE_ORDER = {"original": 0, "copy": 1, "rewrite": 2, "independent": 3}


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def short_time(value: str | None) -> str:
    """`2023-11-01 14:05` (UTC, as stored), or the date alone when no time of day is known."""
    dt = parse_time(value)
    if dt is None:
        return ""
    if (dt.hour, dt.minute, dt.second) == (0, 0, 0):
        return dt.strftime("%Y-%m-%d")
    return dt.strftime("%Y-%m-%d %H:%M")


def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs become links: `javascript:` and friends stay text."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in {"http", "https"} and parts.netloc else None


def paragraphs(text: str) -> list[str]:
    """A clean text's non-blank lines: its paragraphs."""
    return [p for p in text.split("\n") if p.strip()]


def comparison_of(story: dict[str, Any]) -> dict[str, Any] | None:
    """The comparison keys `views.story_detail` adds, gathered; None on a plain story_json."""
    if any(k in story for k in ("quotes", "conflicts", "claims")):
        return {k: story.get(k) or [] for k in ("quotes", "claims", "conflicts", "entities")}
    return None


def drift(story: dict[str, Any], comparison: dict[str, Any] | None = None
          ) -> dict[str, int] | None:
    """Altered quotes and conflicts: the reason to read a story's rewrites closely."""
    comp = comparison if comparison is not None else comparison_of(story)
    if comp is None:
        return None
    altered = sum(
        1 for g in comp.get("quotes") or []
        if any(v.get("kind") == "altered" for v in g.get("variants") or [])
    )
    return {"altered_quotes": altered, "conflicts": len(comp.get("conflicts") or [])}


def original_of(story: dict[str, Any]) -> dict[str, Any] | None:
    arts = story.get("articles") or []
    return next((a for a in arts if a.get("role") == "original"), arts[0] if arts else None)


def card(story: dict[str, Any], comparison: dict[str, Any] | None = None) -> dict[str, Any]:
    """One front-page card (`comparison`: the story's, when known, for the drift badge)."""
    arts = story.get("articles") or []
    orig = original_of(story)
    def count(role: str) -> int:
        return sum(a.get("role") == role for a in arts)

    headline = story.get("headline") or (orig or {}).get("title") or "(untitled story)"
    return {
        "id": story["id"],
        "headline": headline,
        "first_seen": story.get("first_seen"),
        "n_articles": len(arts),
        "n_outlets": len(story.get("outlets") or []),
        "original": label_for(orig) if orig else None,
        "copies": count("copy"), "rewrites": count("rewrite"),
        "drift": drift(story, comparison),
    }


def labels(story: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Article id → number (1-based, page order), outlet label and role, for citations."""
    return {
        a["id"]: {"n": i, "label": label_for(a), "role": a.get("role"), "title": a.get("title")}
        for i, a in enumerate(story.get("articles") or [], start=1)
    }


# ---- quote variants ------------------------------------------------------------------------
def diff_pieces(text: str, diff: list[dict[str, str]] | None) -> list[tuple[str, str]]:
    """A variant's own text (punctuation and all) as (kind, text) pieces: `same`, `ins` for
    words it changed or added, `del` for the reference's words it dropped, in place.

    The word diff lists words without punctuation, so the variant is re-tokenised the same
    way and walked alongside it; if the two disagree the diff is drawn from its words alone.
    """
    if not diff:
        return [("same", text)]
    spans = word_spans(text)
    tags = ["same"] * len(spans)
    dels: dict[int, list[str]] = {}
    j = 0
    for op in diff:
        kind = op.get("op")
        n_new = len(op["text"].split()) if op.get("text") else 0
        n_ref = len(op["ref"].split()) if op.get("ref") else 0
        if kind in {"delete", "replace"} and op.get("ref"):
            dels.setdefault(j, []).append(op["ref"])
        if kind == "equal":
            j += n_ref
        elif kind in {"insert", "replace"}:
            for k in range(j, min(j + n_new, len(tags))):
                tags[k] = "ins"
            j += n_new
    if j != len(spans):
        return _ops_only(diff)
    pieces: list[tuple[str, str]] = []
    pos = 0
    for k, (_, start, end) in enumerate(spans):
        gap = text[pos:start]
        if gap:
            between = (0 < k and tags[k - 1] == tags[k] == "ins" and not gap.strip()
                       and k not in dels)
            pieces.append(("ins" if between else "same", gap))
        for d in dels.get(k, []):
            pieces.append(("del", d))
            pieces.append(("same", " "))
        pieces.append((tags[k], text[start:end]))
        pos = end
    for d in dels.get(len(spans), []):
        pieces.append(("same", " "))
        pieces.append(("del", d))
    if pos < len(text):
        pieces.append(("same", text[pos:]))
    return _merge(pieces)


def _ops_only(diff: list[dict[str, str]]) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    for op in diff:
        if op.get("op") == "equal":
            pieces.append(("same", op.get("ref", "")))
        if op.get("op") in {"delete", "replace"}:
            pieces.append(("del", op.get("ref", "")))
        if op.get("op") in {"insert", "replace"}:
            pieces.append(("ins", op.get("text", "")))
    out: list[tuple[str, str]] = []
    for i, p in enumerate(pieces):
        if i:
            out.append(("same", " "))
        out.append(p)
    return _merge(out)


def _merge(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for kind, text in pieces:
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        elif text:
            out.append((kind, text))
    return out


def quote_groups(comp: dict[str, Any], names: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Quote groups worth showing side by side (more than one outlet), altered ones first."""
    groups = []
    for g in comp.get("quotes") or []:
        variants = g.get("variants") or []
        if len(variants) < 2:
            continue
        rows = []
        same: list[dict[str, Any]] = []  # verbatim renderings: one line "the same in N articles"
        for v in variants:
            info = names.get(v.get("article"), {})
            is_ref = bool(v.get("reference")) or v is variants[0]
            if not is_ref and v.get("kind") == "verbatim":
                same.append({"article": v.get("article"), "n": info.get("n"),
                             "label": info.get("label", v.get("article"))})
                continue
            rows.append({
                "article": v.get("article"), "n": info.get("n"),
                "label": info.get("label", v.get("article")), "kind": v.get("kind"),
                "score": v.get("score"), "reference": is_ref,
                "pieces": [("same", v.get("text", ""))] if is_ref
                else diff_pieces(v.get("text", ""), v.get("diff")),
            })
        altered = any(v.get("kind") == "altered" for v in variants)
        groups.append({"speaker": g.get("speaker"), "altered": altered, "variants": rows,
                       "same": same, "same_count": len(same) + 1})
    groups.sort(key=lambda g: not g["altered"])
    return groups


def citations(item: dict[str, Any], names: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Summary citations (ids, or objects with an `article`/`id`) → numbered references."""
    out = []
    for c in item.get("citations") or []:
        aid = c if isinstance(c, str) else (c.get("article") or c.get("id")
                                            if isinstance(c, dict) else None)
        if isinstance(aid, str):
            info = names.get(aid, {})
            out.append({"article": aid, "n": info.get("n", 0), "label": info.get("label", aid)})
    return sorted(out, key=lambda c: c["n"])


def timeline_items(story: dict[str, Any], names: dict[str, dict[str, Any]]
                   ) -> list[dict[str, Any]]:
    """The write-up's `timeline`: each member in publication order with what it added
    (quotes, claims) and where it differs from what came before."""
    items = story.get("timeline")
    if not isinstance(items, list):
        return []
    out = []
    for it in items:
        if not isinstance(it, dict) or not it.get("article"):
            continue
        added: dict[str, Any] = it["added"] if isinstance(it.get("added"), dict) else {}
        info = names.get(it["article"], {})
        out.append({
            "article": it["article"], "n": info.get("n", "?"),
            "label": info.get("label") or it.get("source") or it["article"],
            "when": short_time(it.get("published")), "role": it.get("role") or "",
            "quotes": [q.get("text", "") if isinstance(q, dict) else str(q)
                       for q in added.get("quotes") or []],
            "claims": [c.get("text", "") if isinstance(c, dict) else str(c)
                       for c in added.get("claims") or []],
            "differs": [f"{d.get('slot')}: {d.get('value')}" if isinstance(d, dict) else str(d)
                        for d in added.get("differs") or []],
        })
    return out


def events(story: dict[str, Any], names: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Dated events of the write-up ("the quake struck on Tuesday" → a day), with sources."""
    out = []
    for ev in story.get("events") or []:
        if isinstance(ev, dict) and ev.get("text"):
            out.append({"date": str(ev.get("date") or ""), "text": str(ev["text"]),
                        "citations": citations({"citations": ev.get("articles") or []}, names)})
    return out


# ---- charts (geometry only; the template draws it) -----------------------------------------
def timeline_chart(story: dict[str, Any], width: int = 720, row: int = 22,
                   max_rows: int = 40) -> dict[str, Any] | None:
    """Who published when: one row per dated article, x = time since the first."""
    times = [(parse_time(a.get("published")), a) for a in story.get("articles") or []]
    dated = sorted(((t, a) for t, a in times if t is not None), key=lambda ta: ta[0])
    if not dated:
        return None
    shown = dated[:max_rows]
    t0, t1 = dated[0][0], dated[-1][0]
    span = (t1 - t0).total_seconds()
    left, right, top = 180, 20, 26
    plot = width - left - right
    rows = []
    for i, (t, a) in enumerate(shown):
        x = left + (plot * (t - t0).total_seconds() / span if span else plot / 2)
        rows.append({
            "id": a["id"], "label": _clip(label_for(a), 20), "role": a.get("role") or "",
            "x": round(x, 1), "y": top + i * row, "when": short_time(a.get("published")),
            "delta": _delta(t - t0) if i else "first",
        })
    height = top + len(shown) * row + 8
    ticks = [{"x": left, "label": short_time(t0.isoformat())}]
    if span:
        ticks.append({"x": left + plot, "label": short_time(t1.isoformat())})
    return {"width": width, "height": height, "left": left, "right": width - right,
            "rows": rows, "ticks": ticks, "hidden": len(dated) - len(shown),
            "undated": len(story.get("articles") or []) - len(dated), "axis_y": top - 14}


def _delta(d: Any) -> str:
    mins = int(d.total_seconds() // 60)
    if mins < 60:
        return f"+{mins} min"
    if mins < 48 * 60:
        return f"+{mins // 60} h {mins % 60:02d} min"
    return f"+{mins // 1440} days"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def provenance_graph(story: dict[str, Any], col: int = 250, row: int = 50,
                     max_nodes: int = 60) -> dict[str, Any] | None:
    """Original → copies/rewrites as columns by derivation depth; independents stay roots."""
    arts = (story.get("articles") or [])[:max_nodes]
    if not arts:
        return None
    by_id = {a["id"]: a for a in arts}
    depth: dict[str, int] = {}

    def depth_of(aid: str, seen: frozenset[str] = frozenset()) -> int:
        if aid in depth:
            return depth[aid]
        parent = by_id[aid].get("derived_from")
        d = 0 if parent not in by_id or aid in seen else depth_of(parent, seen | {aid}) + 1
        depth[aid] = d
        return d

    for a in arts:
        depth_of(a["id"])
    columns: dict[int, list[dict[str, Any]]] = {}
    for a in sorted(arts, key=lambda a: (ROLE_ORDER.get(a.get("role") or "", 9),
                                         a.get("published") or "9999")):
        columns.setdefault(depth[a["id"]], []).append(a)
    node_w, node_h, pad = 180, 34, 12
    pos: dict[str, tuple[float, float]] = {}
    nodes = []
    for d, members in sorted(columns.items()):
        for i, a in enumerate(members):
            x, y = pad + d * col, pad + i * row
            pos[a["id"]] = (x, y)
            nodes.append({"id": a["id"], "x": x, "y": y, "w": node_w, "h": node_h,
                          "label": _clip(label_for(a), 21), "role": a.get("role") or "",
                          "when": short_time(a.get("published"))})
    edges = []
    for a in arts:
        parent = a.get("derived_from")
        if parent in pos and a["id"] in pos and parent != a["id"]:
            (px, py), (cx, cy) = pos[parent], pos[a["id"]]
            edges.append({"x1": px + node_w, "y1": py + node_h / 2, "x2": cx - 4,
                          "y2": cy + node_h / 2, "kind": a.get("role") or ""})
    width = pad * 2 + max(columns) * col + node_w
    height = pad * 2 + max(len(m) for m in columns.values()) * row
    return {"width": width, "height": height, "nodes": nodes, "edges": edges,
            "hidden": len(story.get("articles") or []) - len(arts)}


def source_row(source: Any) -> dict[str, Any]:
    """A followed source for the Sources page: its health in one word, and its times."""
    if source.disabled:
        health = "disabled"
    elif source.last_fetch is None:
        health = "new"
    elif source.failures:
        health = "failing"
    else:
        health = "ok"
    return {"id": source.id, "title": source.title or source.url, "url": safe_url(source.url),
            "site_url": safe_url(source.site_url), "health": health,
            "status": source.disabled or source.last_status or "never polled",
            "error": source.last_error, "failures": source.failures,
            "last_fetch": source.last_fetch.isoformat() if source.last_fetch else None,
            "next_fetch": (source.next_fetch.isoformat()
                           if source.next_fetch and not source.disabled else None),
            "articles": source.articles}
