"""One story for people on a terminal, with Rich (Markdown is in `output.markdown`).

It renders the dict of `output.json.story_detail` (see `output.common` for the numbering).
Article text is never trusted as markup: Rich gets it as plain `Text`.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from storyfold.output.common import (
    DAGGER_NOTE,
    ONE_SOURCE,
    count,
    day,
    meta_line,
    numbers,
    one_source,
    refs,
    short,
)
from storyfold.output.json import label_for
from storyfold.settings import DEFAULTS, OutputSettings

STRUCK = "red strike"
INSERTED = "bold green"


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


def _section(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


def _marked_sentence(ev: dict[str, Any], articles: list[str], num: dict[str, int]) -> Text:
    """A conflict value's sentence, the value's words in bold: what a reader checks."""
    sentence = ev.get("sentence") or ""
    line = Text("    " + refs([ev.get("article") or articles[0]], num) + " ", style="cyan")
    body = Text(sentence)
    for a, b in ev.get("marks") or []:
        if b <= len(body.plain):
            body.stylize("bold yellow", a, b)
    line.append_text(body)
    return line


def story_renderable(data: dict[str, Any], marks: bool = False,
                     settings: OutputSettings = DEFAULTS.output) -> Group:
    """Everything `storyfold story ID` prints, as one Rich renderable (`marks`: bracket quote
    changes too, for output without colour)."""
    num = numbers(data)
    parts: list[Any] = [Text(data.get("headline") or "(no headline)", style="bold")]
    parts.append(Text(f"story {data['id']} · first seen {meta_line(data)}"))

    if data.get("summary"):
        parts.append(_section("Summary"))
        one = one_source(data)
        for s in data["summary"]:
            line = Text("• ")
            line.append(s["text"])
            line.append(" " + refs(s["citations"], num), style="cyan")
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
        table.add_row(str(num[a["id"]]), a["id"], label_for(a), day(a["published"]), a["role"],
                      f"[{num[parent]}]" if parent in num else (parent or ""), links)
    parts.append(table)

    by_id = {a["id"]: a for a in data["articles"]}
    if data.get("timeline"):
        parts.append(_section("Timeline"))
        for t in data["timeline"]:
            added = t.get("added", {})
            head = Text(f"{day(t.get('published'))}  ", style="bold")
            head.append(f"[{num.get(t['article'], '?')}] {label_for(by_id.get(t['article'], t))} "
                        f"({t['role']})")
            counts = [count(len(added[k]), k[:-1]) for k in ("quotes", "claims")
                      if added.get(k)]
            head.append(": " + (", ".join(counts) if counts else "nothing new"), style="dim")
            parts.append(head)
            lines = [f"“{short(q['text'], 20)}” — {q.get('speaker') or 'unattributed'}"
                     for q in added.get("quotes", [])[:settings.max_added]]
            lines += [short(c, 24) for c in added.get("claims", [])[:settings.max_added]]
            lines += [f"differs: {d['slot']} = {d['value']}" for d in added.get("differs", [])]
            for ln in lines:
                parts.append(Padding(Text("– " + ln), (0, 0, 0, 4)))

    if data.get("events"):
        parts.append(_section("Events"))
        for e in data["events"]:
            line = Text(f"{e['date']}  ", style="bold")
            line.append(short(e["text"], 28))
            line.append(" " + refs(e["articles"], num), style="cyan")
            parts.append(line)

    if data.get("quotes"):
        parts.append(_section("Quotes"))
        for g in data["quotes"]:
            parts.append(Text(g.get("speaker") or "unattributed speaker", style="bold"))
            same = [v for v in g["variants"]
                    if not v.get("reference") and v["kind"] == "verbatim"]
            for v in g["variants"]:
                if v in same:
                    continue  # said once below: "the same in N articles"
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
            if same:
                ref = [v["article"] for v in g["variants"] if v.get("reference")]
                parts.append(Text(f"  the same in {len(same) + len(ref)} articles "
                                  + refs(ref + [v["article"] for v in same], num),
                                  style="magenta"))

    single = [c for c in data.get("claims", []) if c.get("single_source")]
    if single:
        parts.append(_section(f"Single-source claims ({len(single)})"))
        for c in single[:settings.max_claims]:
            line = Text("• " + short(c["text"], 40))
            line.append(" " + refs(c["support"], num), style="cyan")
            if c.get("support_label"):
                line.append(f" · {c['support_label']}", style="dim")
            parts.append(line)
        if len(single) > settings.max_claims:
            parts.append(Text(f"… {len(single) - settings.max_claims} more (--json for all)",
                              style="dim"))

    if data.get("conflicts"):
        parts.append(_section("Conflicts"))
        for c in data["conflicts"]:
            line = Text(f"{c.get('label') or c['slot']} ", style="bold")
            line.append(f"({c.get('kind', '')}): ", style="dim")
            line.append(" vs ".join(f"{v['value']} {refs(v['articles'], num)}"
                                    for v in c["values"]))
            parts.append(line)
            for v in c["values"]:
                for ev in (v.get("sentences") or [])[:1]:  # one sentence per value
                    parts.append(_marked_sentence(ev, v["articles"], num))

    if data.get("entities"):
        parts.append(_section("People, organisations, places"))
        parts.append(Text(", ".join(f"{e['name']} ({e['label'].lower()}, "
                                    f"{len(e['articles'])} art.)"
                                    for e in data["entities"][:settings.max_entities])))
    return Group(*parts)


def print_story(console: Console, data: dict[str, Any],
                settings: OutputSettings = DEFAULTS.output) -> None:
    console.print(story_renderable(data, marks=console.color_system is None, settings=settings),
                  highlight=False)


def linked_order(stories: list[dict[str, Any]]) -> list[tuple[dict[str, Any], bool]]:
    """The stories in their order, each followed by those it is linked to across languages
    (one event in several languages reads as one group): (story, shown under another)."""
    by_id = {s["id"]: s for s in stories}
    out: list[tuple[dict[str, Any], bool]] = []
    shown: set[str] = set()
    for s in stories:
        if s["id"] in shown:
            continue
        group, todo = [s["id"]], [s["id"]]
        shown.add(s["id"])
        while todo:  # the whole linked group present in the list, not only direct links
            for link in by_id[todo.pop()].get("linked", []):
                if link["story"] in by_id and link["story"] not in shown:
                    shown.add(link["story"])
                    group.append(link["story"])
                    todo.append(link["story"])
        out.extend((by_id[sid], i > 0) for i, sid in enumerate(group))
    return out


def stories_table(stories: list[dict[str, Any]], title: str) -> Table:
    """The story list `run` and `stories` print: one row per story, its original and counts;
    a story's versions in other languages (linked stories) right under it, marked ↳."""
    table = Table(title=title, show_lines=False)
    table.add_column("story", style="cyan", no_wrap=True)
    table.add_column("first seen", no_wrap=True)
    table.add_column("headline")
    table.add_column("n", justify="right")
    table.add_column("lang")
    table.add_column("original")
    table.add_column("copies / rewrites / independent", justify="center")
    for s, under in linked_order(stories):
        arts = s["articles"]
        orig = next((a for a in arts if a["role"] == "original"), arts[0])
        counts = [sum(a["role"] == r for a in arts) for r in ("copy", "rewrite", "independent")]
        table.add_row(
            ("↳ " if under else "") + s["id"], (s["first_seen"] or "")[:10], s["headline"] or "",
            str(len(arts)), " ".join(s.get("languages") or {}), label_for(orig),
            " / ".join(map(str, counts)),
        )
    return table
