"""Who had it first, and who took it from whom, inside one story.

The original is chosen among the members of the earliest day: a trustworthy date
source first (a header beats a photo caption), then an earlier time of day where the
publisher gave one, then the content: how plausible the other members are as copies and
rewrites of it, from the specific details — figures, names, places — each holds
(`content.source_evidence`: the common source holds what its derived texts kept, and they
add few of their own), then containment (a copy drops sentences of its source, rarely adds
any), then the plainer wording (a paraphrase lengthens words, `content.wording_length`),
then how many members derive from it, then wire evidence. Every later
member points to the member it was most plausibly taken from: its strongest copy
link, or for a rewrite the original itself when it is linked to it (rewrites of the
one source are far more common than rewrites of rewrites); otherwise it is
independent reporting of the same event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np

from storyfold.clean import normalize_text
from storyfold.model import Article, Fingerprint, Link, Membership, Role
from storyfold.provenance.content import source_evidence, story_specifics, wording_length
from storyfold.provenance.links import link
from storyfold.settings import DEFAULTS, ProvenanceSettings
from storyfold.text.headline import clean_title, cut_words
from storyfold.text.sentences import CONTAINMENT, sentences

_DATE_TRUST = {"header": 0, "metadata": 0, "dateline": 1, "text": 2, "caption": 3}
_KIND_STRENGTH = {"exact": 3.0, "near": 2.0, "rewrite": 1.0}


def _day(a: Article) -> date:
    return a.published.date() if a.published else date.max


def _time_of_day(a: Article) -> time | None:
    """The publisher's time, if it gave one (day-only dates parse to midnight)."""
    if a.published is None or a.published.time() == time(0, 0):
        return None
    return a.published.timetz()


def _sentences(a: Article) -> set[str]:
    return {normalize_text(s) for s in sentences(a.text, CONTAINMENT, min_words=4)}


def story_links(
    articles: list[Article], fps: dict[str, Fingerprint],
    sentences: dict[str, np.ndarray] | None = None, t: ProvenanceSettings = DEFAULTS.provenance,
) -> list[Link]:
    """All edges worth keeping inside a story (pairwise, or nearest neighbours when large)."""
    ids = [a.id for a in articles if a.id in fps]
    pairs: set[tuple[str, ...]] = set()
    if len(ids) <= t.max_pairwise:
        pairs = {tuple(sorted((x, y))) for i, x in enumerate(ids) for y in ids[i + 1 :]}
    else:
        emb = np.stack([fps[i].embedding for i in ids])
        sims = emb @ emb.T
        for i, x in enumerate(ids):
            for j in np.argsort(-sims[i])[1 : t.nearest + 1]:
                pairs.add(tuple(sorted((x, ids[int(j)]))))
    out = []
    for x, y in sorted(pairs):
        sent = (sentences[x], sentences[y]) if sentences and x in sentences and y in sentences \
            else None
        ln = link(fps[x], fps[y], t, sent)
        if ln is not None:
            out.append(ln)
    return out


@dataclass(frozen=True)
class OriginalChoice:
    """The chosen original and why: `decided_by` names the first piece of evidence that set
    it apart from the runner-up ("only member" when it had none), `evidence` its figures."""

    article: Article
    decided_by: str
    evidence: dict


# what each position of the same-day key stands for (see `_same_day_keys`)
_KEY_NAMES = ("links", "wire", "content", "containment", "wording", "links", "republication",
              "wire", "dateline", "credits", "id")


def choose_original(articles: list[Article], links: list[Link],
                    t: ProvenanceSettings = DEFAULTS.provenance,
                    spec: dict[str, frozenset[str]] | None = None) -> Article:
    """The most plausible first report (see module docstring for the order of evidence)."""
    return original_choice(articles, links, t, spec).article


def original_choice(articles: list[Article], links: list[Link],
                    t: ProvenanceSettings = DEFAULTS.provenance,
                    spec: dict[str, frozenset[str]] | None = None) -> OriginalChoice:
    """`choose_original`, with the evidence that decided it. `spec`: each member's
    specifics (`content.story_specifics`), when the caller has them already."""
    dated = [a for a in articles if a.published is not None] or articles
    first_day = min(_day(a) for a in dated)
    cands = [a for a in dated if _day(a) == first_day]
    if len(cands) == 1:
        return OriginalChoice(cands[0], "date" if len(articles) > 1 else "only member", {})
    best_trust = min(_DATE_TRUST.get(a.published_from or "", 4) for a in cands)
    cands = [a for a in cands if _DATE_TRUST.get(a.published_from or "", 4) == best_trust]
    if len(cands) == 1:
        return OriginalChoice(cands[0], "date source", {})
    timed = [a for a in cands if _time_of_day(a) is not None]
    if len(timed) == len(cands):
        earliest = min(a.published for a in cands)  # type: ignore[type-var]
        cands = [a for a in cands if a.published == earliest]
        if len(cands) == 1:
            return OriginalChoice(cands[0], "time", {})
    if spec is None:
        spec = dict(zip([a.id for a in articles], story_specifics([a.text for a in articles]),
                        strict=True))
    keys = _same_day_keys(articles, cands, links, spec, t)
    ranked = sorted(cands, key=lambda a: keys[a.id][0])
    first, second = ranked[0], ranked[1]
    at = next(i for i, (x, y) in enumerate(zip(keys[first.id][0], keys[second.id][0],
                                                 strict=True)) if x != y)
    evidence = {"runner_up": second.id, **keys[first.id][1],
                **{f"runner_up_{k}": v for k, v in keys[second.id][1].items()}}
    return OriginalChoice(first, _KEY_NAMES[at], evidence)


def _same_day_keys(articles: list[Article], cands: list[Article], links: list[Link],
                   spec: dict[str, frozenset[str]], t: ProvenanceSettings
                   ) -> dict[str, tuple[tuple, dict]]:
    """Each candidate's sort key (lowest first) and the figures it was built from."""
    sents = {a.id: _sentences(a) for a in articles}
    strength: dict[str, float] = {a.id: 0.0 for a in articles}
    for ln in links:
        if ln.kind in _KIND_STRENGTH:
            strength[ln.a] += 1.0
            strength[ln.b] += 1.0

    def containment(a: Article) -> float:
        """How much more of the others' sentences `a` holds than they hold of `a`."""
        total = 0.0
        for b in articles:
            if b.id == a.id or not sents[a.id] or not sents[b.id]:
                continue
            inter = len(sents[a.id] & sents[b.id])
            if inter:
                total += inter / len(sents[b.id]) - inter / len(sents[a.id])
        return total

    # every other member counts, independent reports too: one that confirms a detail of
    # a candidate's (a figure a paraphrase changed) makes that candidate the likelier source;
    # but each text once: an exact copy repeats its source's evidence, it adds none
    texts = {normalize_text(a.text): a.id for a in reversed(articles)}
    source = {a.id: source_evidence(
        spec[a.id], [spec[b] for txt, b in texts.items() if txt != normalize_text(a.text)],
        t.added_specific) for a in cands}
    wording = {a.id: wording_length(a.text) for a in cands}
    best_source, plainest = max(source.values()), min(wording.values())
    out: dict[str, tuple[tuple, dict]] = {}
    for a in cands:
        # a near tie (within the margin of the best) leaves the decision to the later keys
        source_gap = best_source - source[a.id]
        wording_gap = wording[a.id] - plainest
        wire = any(c.where in {"dateline", "byline", "text"} for c in a.credits)
        # the wire's own copy: the outlet is the agency its dateline credits
        own_wire = bool(a.source) and any(
            c.agency.lower() == (a.source or "").lower() for c in a.credits
        )
        # an aggregator's trailer marks a republication
        republished = any(r.reason == "trailer" for r in a.removed)
        key = (strength[a.id] == 0, not own_wire,
               round(source_gap, 2) if source_gap > t.source_margin else 0.0,
               -round(containment(a), 2),
               round(wording_gap, 2) if wording_gap > t.wording_margin else 0.0,
               -strength[a.id], republished,
               not wire, a.dateline is None, not a.credits, a.id)
        out[a.id] = (key, {"source_evidence": round(source[a.id], 2),
                           "wording_length": round(wording[a.id], 2)})
    return out


def _order_key(a: Article) -> tuple:
    tod = _time_of_day(a)
    return (_day(a), _DATE_TRUST.get(a.published_from or "", 4),
            tod.isoformat() if tod else "99", a.id)


def headline_for(articles: list[Article], original: Article) -> str | None:
    """The story's one headline: the original's title (without an outlet's name tacked on),
    else the first member title, else the original's first sentence, shortened. Chosen
    whenever the members change, by this rule only (the write-up keeps it)."""
    for a in (original, *articles):
        if a.title and a.title.strip():
            return clean_title(a.title, a.source) or a.title.strip()
    body = re.sub(r"^[A-Z][A-Z .'’\-]+(,[^—–]{0,40})?\s*[—–-]\s*", "", original.text.strip())
    first = sentences(body, CONTAINMENT, limit=1)
    words = first[0].split() if first else []
    return cut_words(words, clean_end=False) if words else None


def provenance(
    articles: list[Article], fps: dict[str, Fingerprint],
    sentences: dict[str, np.ndarray] | None = None, t: ProvenanceSettings = DEFAULTS.provenance,
) -> tuple[list[Membership], list[Link], str | None]:
    """Roles, derivation edges and a headline for one story's members."""
    if not articles:
        return [], [], None
    return derive(articles, story_links(articles, fps, sentences, t), t)


def derive(articles: list[Article], links: list[Link],
           t: ProvenanceSettings = DEFAULTS.provenance,
           ) -> tuple[list[Membership], list[Link], str | None]:
    """`provenance` from the story's links: the original, then each later member's source."""
    spec = dict(zip([a.id for a in articles], story_specifics([a.text for a in articles]),
                    strict=True))
    choice = original_choice(articles, links, t, spec)
    original = choice.article
    rest = sorted((a for a in articles if a.id != original.id), key=_order_key)
    ordered = [original, *rest]
    rank = {a.id: i for i, a in enumerate(ordered)}
    by_article: dict[str, list[Link]] = {}
    for ln in links:
        by_article.setdefault(ln.a, []).append(ln)
        by_article.setdefault(ln.b, []).append(ln)
    root_ev = _evidence(original, None)
    root_ev["chosen_by"] = {"decided_by": choice.decided_by, **choice.evidence}
    members = [Membership(original.id, "original", None, root_ev)]
    parent_of: dict[str, str] = {}
    directed: dict[tuple[str, str], Link] = {}
    by_id = {x.id: x for x in articles}
    for a in rest:
        options: list[tuple[float, Link, str]] = []
        for ln in by_article.get(a.id, []):
            other = ln.b if ln.a == a.id else ln.a
            if rank[other] > rank[a.id] or ln.kind not in _KIND_STRENGTH:
                continue
            options.append((_KIND_STRENGTH[ln.kind] + ln.score, ln, other))
        if not options:
            members.append(Membership(a.id, "independent", None, _evidence(a, None)))
            continue
        options.sort(key=lambda o: (-o[0], rank[o[2]]))
        best = options[0]
        root = next((o for o in options if o[2] == original.id), None)
        if root is not None and (best[1].kind == "rewrite" or best[0] - root[0] <= t.root_margin):
            best = root
        _, ln, parent = best
        role: Role = "rewrite" if ln.kind == "rewrite" else "copy"
        ev = _evidence(a, ln)
        if (role == "rewrite" and parent != original.id
                and parent_of.get(parent) == original.id
                and _through_root(spec[a.id], spec[parent], spec[original.id])):
            # a rewrite whose closest sibling is itself the original's rewrite: both took
            # from the original (it holds none of what the sibling added)
            ev["link"]["sibling"] = parent
            parent = original.id
            ln = next((x for x in by_article.get(a.id, []) if original.id in (x.a, x.b)), ln)
        mine, theirs = spec[a.id], spec[parent]
        # the content evidence for the direction: what the source has that this one lacks
        ev["link"]["content"] = {"source_only": len(theirs - mine), "own_only": len(mine - theirs),
                                 "by_time": _time_of_day(a) is not None
                                 and _time_of_day(by_id[parent]) is not None}
        members.append(Membership(a.id, role, parent, ev))
        parent_of[a.id] = parent
        if parent in (ln.a, ln.b):
            directed[(ln.a, ln.b)] = Link(ln.a, ln.b, ln.kind, ln.score, direction=(parent, a.id))
    final_links = [directed.get((ln.a, ln.b), ln) for ln in links]
    return members, final_links, headline_for(ordered, original)


def _through_root(mine: frozenset[str], sibling: frozenset[str], root: frozenset[str]) -> bool:
    """Whether a rewrite linked to a sibling rewrite took from their common source rather
    than from the sibling: it holds none of the details the sibling added to the source.
    Rewrites of one source resemble each other through it, and a rewrite of a rewrite
    would carry its parent's additions along."""
    return not (mine & (sibling - root))


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


__all__ = ["OriginalChoice", "choose_original", "derive", "headline_for", "original_choice",
           "provenance", "story_links", "datetime"]
