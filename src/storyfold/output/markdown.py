"""A story as Markdown a reader can paste into a report: every character of article text that
could start markup is escaped."""

from __future__ import annotations

import re
from typing import Any

from storyfold.output.common import (
    DAGGER_NOTE,
    ONE_SOURCE,
    count,
    day,
    meta_line,
    numbers,
    one_source,
)
from storyfold.output.json import label_for
from storyfold.settings import DEFAULTS, OutputSettings

_MD_ALWAYS = re.compile(r"([\\`*_\[\]<>|~#])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def md_escape(text: str) -> str:
    """Article text as inert Markdown: it renders as written, never as markup or HTML.

    Backslash-escapes what can start emphasis, code, links, HTML, tables or headings
    anywhere, a list or quote marker at the start, and `&` before an entity name;
    line breaks become spaces (each snippet is one paragraph or list item).
    """
    text = " ".join(str(text).split())
    text = _MD_ALWAYS.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    m = _MD_LINE_START.match(text)
    if m:
        marker = m.group(2)
        text = text[: m.start(2)] + marker[:-1] + "\\" + marker[-1] + text[m.end(2):]
    return text


def _md_refs(ids: list[str], num: dict[str, int]) -> str:
    return "".join(f"\\[{num[i]}\\]" for i in ids if i in num)


def _md_diff(variant: dict[str, Any]) -> str:
    out = []
    for op in variant.get("diff", []):
        kind = op.get("op")
        if kind in {"equal"}:
            out.append(md_escape(op.get("ref", "")))
        if kind in {"delete", "replace"} and op.get("ref"):
            out.append(f"~~{md_escape(op['ref'])}~~")
        if kind in {"insert", "replace"} and op.get("text"):
            out.append(f"**{md_escape(op['text'])}**")
    return " ".join(x for x in out if x)


def story_markdown(data: dict[str, Any], settings: OutputSettings = DEFAULTS.output) -> str:
    """A report a journalist can paste: summary with citations, sources, timeline, quotes."""
    num = numbers(data)
    out: list[str] = [f"# {md_escape(data.get('headline') or '(no headline)')}", ""]
    out.append(f"*Story `{data['id']}` · first seen {meta_line(data)}*")
    out.append("")
    if data.get("summary"):
        out += ["## Summary", ""]
        one = one_source(data)
        for s in data["summary"]:
            mark = " †" if s.get("single_source") and not one else ""
            out.append(f"- {md_escape(s['text'])} {_md_refs(s['citations'], num)}{mark}")
        if one and len(data["articles"]) > 1:
            out += ["", ONE_SOURCE]
        elif any(s.get("single_source") for s in data["summary"]):
            out += ["", DAGGER_NOTE + "."]
        out.append("")
    out += ["## Sources", "", "| # | outlet / file | published | role | derived from | title |",
            "|---|---|---|---|---|---|"]
    for a in data["articles"]:
        parent = a.get("derived_from")
        ref = f"\\[{num[parent]}\\]" if parent in num else ""
        title = md_escape(a.get("title") or "")
        if title and re.match(r"https?://", a.get("url") or ""):
            title = f"[{title}](<{a['url'].replace('>', '%3E').replace(' ', '%20')}>)"
        out.append(f"| {num[a['id']]} | {md_escape(label_for(a))} | {day(a.get('published'))} "
                   f"| {a['role']} | {ref} | {title} |")
    out.append("")
    by_id = {a["id"]: a for a in data["articles"]}
    if data.get("timeline"):
        out += ["## Timeline", ""]
        for t in data["timeline"]:
            added = t.get("added", {})
            what = [count(len(added[k]), k[:-1]) for k in ("quotes", "claims") if added.get(k)]
            who = label_for(by_id.get(t["article"], {"id": t["article"]}))
            out.append(f"- **{day(t.get('published'))}** \\[{num.get(t['article'], '?')}\\] "
                       f"{md_escape(who)} ({t['role']}): "
                       f"{', '.join(what) if what else 'nothing new'}")
            for q in added.get("quotes", []):
                out.append(f"  - new quote ({md_escape(q.get('speaker') or 'unattributed')}): "
                           f"“{md_escape(q['text'])}”")
            for d in added.get("differs", []):
                out.append(f"  - differs: {md_escape(d['slot'])} = {md_escape(d['value'])}")
        out.append("")
    if data.get("events"):
        out += ["## Events", ""]
        for e in data["events"]:
            out.append(f"- **{e['date']}** {md_escape(e['text'])} {_md_refs(e['articles'], num)}")
        out.append("")
    if data.get("quotes"):
        out += ["## Quotes", ""]
        for g in data["quotes"]:
            out.append(f"### {md_escape(g.get('speaker') or 'Unattributed')}")
            out.append("")
            for v in g["variants"]:
                ref = f"\\[{num.get(v['article'], '?')}\\]"
                if v.get("reference") or v["kind"] in {"verbatim", "punctuation"}:
                    body = f"“{md_escape(v['text'])}”"
                else:
                    body = f"“{_md_diff(v)}”"
                tag = "reference" if v.get("reference") else f"{v['kind']}, {v['score']:.2f}"
                out.append(f"- {ref} *{tag}*: {body}")
            out.append("")
    single = [c for c in data.get("claims", []) if c.get("single_source")]
    if single:
        out += ["## Single-source claims", ""]
        out += [f"- {md_escape(c['text'])} {_md_refs(c['support'], num)}" for c in single]
        out.append("")
    if data.get("conflicts"):
        out += ["## Conflicts", ""]
        for c in data["conflicts"]:
            vals = " vs ".join(f"{md_escape(v['value'])} {_md_refs(v['articles'], num)}"
                               for v in c["values"])
            out.append(f"- **{md_escape(c['slot'])}**: {vals}")
        out.append("")
    if data.get("entities"):
        out += ["## People, organisations, places", ""]
        shown = data["entities"][:settings.max_entities]
        out.append(", ".join(f"{md_escape(e['name'])} ({e['label'].lower()}, "
                             f"{len(e['articles'])})" for e in shown))
        out.append("")
    return "\n".join(out).rstrip() + "\n"
