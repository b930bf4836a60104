"""One story for people: Rich for the terminal, Markdown for pasting into a report.

Both render the JSON-ready dict of `views.story_detail`, so what a reader sees is exactly
what `--json` gives a program. Articles are numbered in the order of the story's article
list, and every citation, timeline line and quote variant refers to them by that number.
Article text is never trusted as markup: Rich gets it as plain `Text`, Markdown gets it
with every character that could start markup escaped.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from storyfold.views import label_for

MAX_CLAIMS = 8  # single-source claims shown on the terminal; --json has them all
MAX_ADDED = 3  # new quotes / claims listed per timeline entry on the terminal
MAX_ENTITIES = 12
STRUCK = "red strike"
INSERTED = "bold green"


def numbers(data: dict[str, Any]) -> dict[str, int]:
    """Citation number of every article: its place in the story's article list, from 1."""
    return {a["id"]: i for i, a in enumerate(data["articles"], 1)}


def _refs(ids: list[str], num: dict[str, int]) -> str:
    return "".join(f"[{num[i]}]" for i in ids if i in num)


def _day(iso: str | None) -> str:
    return (iso or "")[:10] or "undated"


def _short(text: str, words: int = 30) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _meta_line(data: dict[str, Any]) -> str:
    return (f"{_day(data.get('first_seen'))} · {_plural(len(data['articles']), 'article')} "
            f"from {_plural(len(data['outlets']), 'outlet')}")


def _one_source(data: dict[str, Any]) -> bool:
    """Every member derives from one original: then every sentence is single-source, and the
    story says so once instead of marking each sentence."""
    return sum(1 for a in data["articles"] if not a.get("derived_from")) <= 1


ONE_SOURCE = "All of this coverage traces back to one original report."
DAGGER_NOTE = "† one independent source: every citing article derives from one original"


# ---- Rich ------------------------------------------------------------------------------------
def _diff_text(variant: dict[str, Any], marks: bool) -> Text:
    """A variant with what it changed against the reference: removed struck, added in green.

    Without colour (a pipe, a file) the changes are bracketed as wdiff does: [-old-] {+new+}.
    """
    out = Text()
    dele, ins = (("[-", "-]"), ("{+", "+}")) if marks else (("", ""), ("", ""))
    for op in variant.get("diff", []):
        kind = op.get("op")
        if kind == "equal":
            out.append(op.get("ref", "") + " ")
        if kind in {"delete", "replace"}:
            out.append(f"{dele[0]}{op.get('ref', '')}{dele[1]}", style=STRUCK)
            out.append(" ")
        if kind in {"insert", "replace"}:
            out.append(f"{ins[0]}{op.get('text', '')}{ins[1]}", style=INSERTED)
            out.append(" ")
    out.rstrip()
    return out


def _count(n: int, what: str) -> str:
    return f"{n} new {what if n == 1 else what + 's'}"


def _section(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def story_renderable(data: dict[str, Any], marks: bool = False) -> Group:
    """Everything `storyfold story ID` prints, as one Rich renderable (`marks`: bracket quote
    changes too, for output without colour)."""
    num = numbers(data)
    parts: list[Any] = [Text(data.get("headline") or "(no headline)", style="bold")]
    parts.append(Text(f"story {data['id']} · first seen {_meta_line(data)}"))

    if data.get("summary"):
        parts.append(_section("Summary"))
        one = _one_source(data)
        for s in data["summary"]:
            line = Text("• ")
            line.append(s["text"])
            line.append(" " + _refs(s["citations"], num), style="cyan")
            if s.get("single_source") and not one:
                line.append(" †", style="yellow")
            parts.append(line)
        if one and len(data["articles"]) > 1:
            parts.append(Text(ONE_SOURCE, style="dim"))
        elif any(s.get("single_source") for s in data["summary"]):
            parts.append(Text(DAGGER_NOTE, style="dim"))

    parts.append(_section("Articles"))
    table = Table(show_lines=False)
    for col in ("#", "article", "outlet / file", "published", "role", "derived from", "links"):
        table.add_column(col)
    for a in data["articles"]:
        links = ", ".join(f"{ln['kind']} [{num.get(ln['to'], '?')}] ({ln['score']:.2f})"
                          for ln in a["links"])
        parent = a.get("derived_from")
        table.add_row(str(num[a["id"]]), a["id"], label_for(a), _day(a["published"]), a["role"],
                      f"[{num[parent]}]" if parent in num else (parent or ""), links)
    parts.append(table)

    by_id = {a["id"]: a for a in data["articles"]}
    if data.get("timeline"):
        parts.append(_section("Timeline"))
        for t in data["timeline"]:
            added = t.get("added", {})
            head = Text(f"{_day(t.get('published'))}  ", style="bold")
            head.append(f"[{num.get(t['article'], '?')}] {label_for(by_id.get(t['article'], t))} "
                        f"({t['role']})")
            counts = [_count(len(added[k]), k[:-1]) for k in ("quotes", "claims")
                      if added.get(k)]
            head.append(": " + (", ".join(counts) if counts else "nothing new"), style="dim")
            parts.append(head)
            lines = [f"“{_short(q['text'], 20)}” — {q.get('speaker') or 'unattributed'}"
                     for q in added.get("quotes", [])[:MAX_ADDED]]
            lines += [_short(c, 24) for c in added.get("claims", [])[:MAX_ADDED]]
            lines += [f"differs: {d['slot']} = {d['value']}" for d in added.get("differs", [])]
            for ln in lines:
                parts.append(Padding(Text("– " + ln), (0, 0, 0, 4)))

    if data.get("events"):
        parts.append(_section("Events"))
        for e in data["events"]:
            line = Text(f"{e['date']}  ", style="bold")
            line.append(_short(e["text"], 28))
            line.append(" " + _refs(e["articles"], num), style="cyan")
            parts.append(line)

    if data.get("quotes"):
        parts.append(_section("Quotes"))
        for g in data["quotes"]:
            parts.append(Text(g.get("speaker") or "unattributed speaker", style="bold"))
            for v in g["variants"]:
                line = Text(f"  [{num.get(v['article'], '?')}] ")
                line.append(v["kind"] + (" (reference)" if v.get("reference") else
                                         f" {v['score']:.2f}"), style="magenta")
                line.append(": ")
                if v.get("reference") or v["kind"] in {"verbatim", "punctuation"}:
                    line.append(f"“{v['text']}”")
                else:
                    line.append("“")
                    line.append_text(_diff_text(v, marks))
                    line.append("”")
                parts.append(line)

    single = [c for c in data.get("claims", []) if c.get("single_source")]
    if single:
        parts.append(_section(f"Single-source claims ({len(single)})"))
        for c in single[:MAX_CLAIMS]:
            line = Text("• " + _short(c["text"], 40))
            line.append(" " + _refs(c["support"], num), style="cyan")
            parts.append(line)
        if len(single) > MAX_CLAIMS:
            parts.append(Text(f"… {len(single) - MAX_CLAIMS} more (--json for all)",
                              style="dim"))

    if data.get("conflicts"):
        parts.append(_section("Conflicts"))
        for c in data["conflicts"]:
            line = Text(f"{c['slot']}: ", style="bold")
            line.append(" vs ".join(f"{v['value']} {_refs(v['articles'], num)}"
                                    for v in c["values"]))
            parts.append(line)

    if data.get("entities"):
        parts.append(_section("People, organisations, places"))
        parts.append(Text(", ".join(f"{e['name']} ({e['label'].lower()}, "
                                    f"{len(e['articles'])} art.)"
                                    for e in data["entities"][:MAX_ENTITIES])))
    return Group(*parts)


def print_story(console: Console, data: dict[str, Any]) -> None:
    console.print(story_renderable(data, marks=console.color_system is None),
                  highlight=False)


# ---- Markdown ----------------------------------------------------------------------------------
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


def story_markdown(data: dict[str, Any]) -> str:
    """A report a journalist can paste: summary with citations, sources, timeline, quotes."""
    num = numbers(data)
    out: list[str] = [f"# {md_escape(data.get('headline') or '(no headline)')}", ""]
    out.append(f"*Story `{data['id']}` · first seen {_meta_line(data)}*")
    out.append("")
    if data.get("summary"):
        out += ["## Summary", ""]
        one = _one_source(data)
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
        out.append(f"| {num[a['id']]} | {md_escape(label_for(a))} | {_day(a.get('published'))} "
                   f"| {a['role']} | {ref} | {title} |")
    out.append("")
    by_id = {a["id"]: a for a in data["articles"]}
    if data.get("timeline"):
        out += ["## Timeline", ""]
        for t in data["timeline"]:
            added = t.get("added", {})
            what = [_count(len(added[k]), k[:-1]) for k in ("quotes", "claims") if added.get(k)]
            who = label_for(by_id.get(t["article"], {"id": t["article"]}))
            out.append(f"- **{_day(t.get('published'))}** \\[{num.get(t['article'], '?')}\\] "
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
        out.append(", ".join(f"{md_escape(e['name'])} ({e['label'].lower()}, "
                             f"{len(e['articles'])})" for e in data["entities"][:MAX_ENTITIES]))
        out.append("")
    return "\n".join(out).rstrip() + "\n"
