"""Feeds written for the follow tests: the same news items in each feed format.

Every text here is written for these tests. `STORIES` are long enough (over 80 words) that a
feed carrying them in full needs no page fetch; `summary` entries carry one sentence and link
to an HTML page with the whole article.
"""

from __future__ import annotations

import json
from html import escape

STORIES = [
    {"id": "ferry", "title": "Lanford ferry service resumes after winter storms",
     "date": "2026-12-01T07:30:00Z",
     "text": ["The Lanford ferry service resumed on Monday morning after three weeks in which "
              "winter storms kept every boat in the harbour, the port authority said.",
              "The first crossing left the north pier at seven with about two hundred "
              "passengers on board, many of them commuters who had spent weeks on the long "
              "road around the bay.",
              "Port director Amalia Renner said the damaged landing stage on the south shore "
              "had been repaired ahead of schedule and that the full timetable would run from "
              "Wednesday, with two extra evening sailings until the end of the month."]},
    {"id": "orchard", "title": "Valley orchards report record apple harvest",
     "date": "2026-12-01T09:00:00Z",
     "text": ["Fruit growers in the Tessin valley brought in the largest apple harvest on "
              "record this autumn, the regional growers association reported on Tuesday.",
              "Members picked just over forty thousand tonnes, a fifth more than last year, "
              "after a mild spring without the late frosts that ruined the blossom in two of "
              "the past five seasons.",
              "Association chair Jonas Pfeiffer warned that prices at the wholesale market "
              "had fallen sharply as a result and said smaller farms would need help to store "
              "the surplus through the winter months."]},
    {"id": "library", "title": "New city library opens its doors in Marrow",
     "date": "2026-12-01T12:15:00Z",
     "text": ["The town of Marrow opened its new central library on Saturday, a four storey "
              "building of timber and glass on the site of the old bus depot.",
              "More than three thousand visitors came through the doors on the first day, "
              "according to the library, which holds about one hundred and twenty thousand "
              "books and a large music collection.",
              "Head librarian Odile Strand said the reading rooms would stay open until ten "
              "in the evening on weekdays so that students and shift workers could use them, "
              "a first for the region."]},
]


def text_of(story: dict) -> str:
    return "\n\n".join(story["text"])


def html_of(story: dict) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in story["text"])


def page(story: dict) -> str:
    """The article's own HTML page, as an outlet would serve it."""
    return (f"<!doctype html><html><head><title>{escape(story['title'])}</title>"
            f"<meta property='article:published_time' content='{story['date']}'></head>"
            f"<body><header><nav><a href='/'>Home</a></nav></header><article>"
            f"<h1>{escape(story['title'])}</h1>{html_of(story)}</article>"
            "<footer>Copyright the Lanford Courier</footer></body></html>")


def _summary(story: dict) -> str:
    return story["text"][0].split(",")[0] + "."


def rss20(base: str, stories: list[dict], *, summary: bool = False, ttl: int | None = None,
          title: str = "Lanford Courier") -> str:
    items = []
    for s in stories:
        body = _summary(s) if summary else html_of(s)
        items.append(
            f"<item><title>{escape(s['title'])}</title><link>{base}/news/{s['id']}.html</link>"
            f"<guid isPermaLink='false'>courier-{s['id']}</guid>"
            f"<pubDate>{_rfc822(s['date'])}</pubDate>"
            f"<description>{escape(body)}</description></item>")
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>{escape(title)}</title><link>{base}/</link>{ttl_tag}"
            f"<description>News</description>{''.join(items)}</channel></rss>")


def rss091(base: str, stories: list[dict]) -> str:
    items = "".join(
        f"<item><title>{escape(s['title'])}</title><link>{base}/news/{s['id']}.html</link>"
        f"<description>{escape(text_of(s))}</description></item>" for s in stories)
    return (f"<?xml version='1.0'?><rss version='0.91'><channel><title>Bay Gazette</title>"
            f"<link>{base}/</link><description>News</description><language>en</language>"
            f"{items}</channel></rss>")


def rss10(base: str, stories: list[dict]) -> str:
    seq = "".join(f"<rdf:li resource='{base}/news/{s['id']}.html'/>" for s in stories)
    items = "".join(
        f"<item rdf:about='{base}/news/{s['id']}.html'><title>{escape(s['title'])}</title>"
        f"<link>{base}/news/{s['id']}.html</link><dc:date>{s['date']}</dc:date>"
        f"<description>{escape(html_of(s))}</description></item>" for s in stories)
    return ("<?xml version='1.0'?><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
            " xmlns='http://purl.org/rss/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
            f"<channel rdf:about='{base}/rss'><title>Valley Times</title><link>{base}/</link>"
            f"<description>News</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>"
            f"{items}</rdf:RDF>")


def atom(base: str, stories: list[dict], *, summary: bool = False) -> str:
    entries = []
    for s in stories:
        body = (f"<summary>{escape(_summary(s))}</summary>" if summary else
                f"<content type='html'>{escape(html_of(s))}</content>")
        entries.append(
            f"<entry><id>tag:marrow.example,2026:{s['id']}</id><title>{escape(s['title'])}"
            f"</title><link rel='alternate' href='{base}/news/{s['id']}.html'/>"
            f"<updated>{s['date']}</updated><published>{s['date']}</published>"
            f"<author><name>Desk</name></author>{body}</entry>")
    return ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>Marrow Herald</title><link href='{base}/'/><id>tag:marrow.example,2026:"
            f"feed</id><updated>2026-12-01T12:15:00Z</updated>{''.join(entries)}</feed>")


def json_feed(base: str, stories: list[dict], *, summary: bool = False) -> str:
    items = []
    for s in stories:
        item = {"id": f"coast-{s['id']}", "url": f"{base}/news/{s['id']}.html",
                "title": s["title"], "date_published": s["date"],
                "authors": [{"name": "Coast Desk"}]}
        if summary:
            item["summary"] = _summary(s)
        else:
            item["content_html"] = html_of(s)
        items.append(item)
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Coast Post",
                       "home_page_url": f"{base}/", "feed_url": f"{base}/feed.json",
                       "items": items})


def home(feeds: list[tuple[str, str]]) -> str:
    links = "".join(f"<link rel='alternate' type='{t}' href='{h}' title='News'>"
                    for h, t in feeds)
    return (f"<!doctype html><html><head><title>Courier</title>{links}</head>"
            "<body><p>Welcome to the front page.</p></body></html>")


def opml(urls: list[tuple[str, str]]) -> str:
    outlines = "".join(f"<outline type='rss' text='{escape(t)}' title='{escape(t)}' "
                       f"xmlUrl='{escape(u)}'/>" for u, t in urls)
    return ("<?xml version='1.0'?><opml version='2.0'><head><title>subs</title></head><body>"
            f"<outline text='News'>{outlines}</outline></body></opml>")


def _rfc822(iso: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")), usegmt=True)
