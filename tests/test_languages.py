"""Every language: identification at ingest, the rules of other languages' news, the
multilingual encoder, stories within a language linked across languages, and the graded
same-story evaluation. Fixtures are short texts written for these tests."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from storyfold.clean import clean
from storyfold.clean.language import article_language, canonical
from storyfold.eval.same_story import eval_same_story
from storyfold.fingerprint import Embedder, MultilingualEncoder
from storyfold.ingest import iter_documents
from storyfold.model import RawDocument
from storyfold.pipeline import Pipeline
from storyfold.place_languages import canonical_names, link_evidence, names_overlap
from storyfold.settings import DEFAULTS
from storyfold.store import open_store
from storyfold.text.languages import (
    figure_key,
    find_native_date,
    native_credits,
    native_dateline,
    parse_number,
    quotations,
)

FIXTURE = Path(__file__).parent / "fixtures" / "languages" / "valdoria.jsonl"
GERMAN = ("Der Stadtrat hat am Dienstag beschlossen, die Straßenbahnlinie bis zum Hafen zu "
          "verlängern. Die Bauarbeiten sollen im nächsten Frühjahr beginnen.")
FRENCH = ("Le conseil municipal a décidé mardi de prolonger la ligne de tramway jusqu'au "
          "port. Les travaux doivent commencer au printemps prochain.")


# ---- identification -----------------------------------------------------------------------
def test_the_language_is_identified_from_the_text() -> None:
    assert article_language(None, None, GERMAN) == "de"
    assert article_language(None, None, FRENCH) == "fr"
    assert article_language(None, None, "") is None


def test_a_confident_reading_of_the_text_beats_the_records_claim() -> None:
    # a site template says "en" for every edition; the text is German
    assert article_language("en", None, GERMAN) == "de"


def test_the_claim_decides_where_the_text_is_too_short_to_tell() -> None:
    assert article_language("fr-CA", None, "Macron") == "fr"
    assert canonical("de-DE") == "de" and canonical("German") == "de"
    assert canonical("??") is None and canonical(None) is None


def test_clean_stores_the_identified_language() -> None:
    art = clean(RawDocument("x.txt", "text", GERMAN, {"lang": "en"}))
    assert art.lang == "de"


# ---- rules of other languages -------------------------------------------------------------
@pytest.mark.parametrize(("text", "lang", "day"), [
    ("Am 3. März 2024 stimmte der Rat zu.", "de", (2024, 3, 3)),
    ("El 5 de octubre de 2023 se aprobó.", "es", (2023, 10, 5)),
    ("Le 1er août 2022, le conseil a voté.", "fr", (2022, 8, 1)),
    ("Il 9 settembre 2021 il consiglio", "it", (2021, 9, 9)),
    ("Em 7 de março de 2020 o conselho", "pt", (2020, 3, 7)),
    ("Op 12 maart 2019 besloot de raad", "nl", (2019, 3, 12)),
    ("12 września 2021 r. rada zdecydowała", "pl", (2021, 9, 12)),
    ("Meclis 14 Şubat 2018 günü karar verdi", "tr", (2018, 2, 14)),
    ("في 4 كانون الثاني 2020 قرر المجلس", "ar", (2020, 1, 4)),
])
def test_dates_are_read_with_the_languages_month_names(text: str, lang: str,
                                                       day: tuple[int, int, int]) -> None:
    assert find_native_date(text, lang) == datetime(*day, tzinfo=UTC)


def test_an_impossible_date_is_no_date() -> None:
    assert find_native_date("am 31. Februar 2024", "de") is None
    assert find_native_date("am 3. März 2024", "en") is None  # English rules live elsewhere


@pytest.mark.parametrize(("token", "lang", "value"), [
    ("1.234,5", "de", 1234.5), ("1,234.5", "en", 1234.5), ("12.000", "de", 12000.0),
    ("12,000", "en", 12000.0), ("1,5", "es", 1.5), ("1.5", "en", 1.5),
    ("1 234,5", "fr", 1234.5), ("1\u202f234,5", "fr", 1234.5), ("٣٤٥", "ar", 345.0),
])
def test_numbers_are_read_in_the_languages_format(token: str, lang: str, value: float) -> None:
    assert parse_number(token, lang) == value


def test_one_figure_in_two_languages_has_one_key() -> None:
    assert figure_key("1.200", "de") == figure_key("1,200", "en") == "1200"
    assert figure_key("6,4", "de") == figure_key("6.4", "en")
    assert figure_key("Valdoria", "de") == "Valdoria"


def test_wire_credits_and_datelines_of_other_presses() -> None:
    assert native_credits("Berlin (dpa) - Der Rat hat beschlossen.", "de") == ["dpa"]
    assert native_credits("Texto de la noticia.\n\nCon información de EFE", "es") == ["EFE"]
    assert native_credits("Haber metni burada (AA)", "tr") == ["Anadolu"]
    assert native_credits("İSTANBUL (İHA) - Haber metni", "tr") == ["İHA"]
    assert native_credits("Berlin (dpa) - text", "en") == []
    assert native_dateline("MADRID, 3 mar (EFE).- El Gobierno aprobó") == ("Madrid", "EFE")
    assert native_dateline("Ein Satz ohne Ortsmarke.") is None


def test_quotations_under_every_convention() -> None:
    text = "Sie sagte: „Wir bleiben hier.“ Il a dit « nous partons » et 「東京は晴れ」 ‚kurz‘."
    assert quotations(text) == ["Wir bleiben hier.", "nous partons", "東京は晴れ", "kurz"]


def test_clean_applies_the_rules_of_the_articles_language() -> None:
    [doc] = [d for d in iter_documents([str(FIXTURE)]) if d.record == "de-2"]
    de2 = clean(doc)
    assert de2.lang == "de"
    assert "Lesen Sie auch" not in de2.text and "Weitere Unwetter" not in de2.text
    assert any(r.reason == "trailer" and "Lesen Sie auch" in r.text for r in de2.removed)
    body = "Valdoria (dpa) - Am 3. März 2025 trat der Fluss über die Ufer. " * 3
    de1 = clean(RawDocument("x.txt", "text", body, {}))
    assert de1.dateline == "Valdoria"
    assert {c.agency for c in de1.credits} == {"dpa"}
    assert de1.published == datetime(2025, 3, 3, tzinfo=UTC) and de1.published_from == "text"


# ---- names in French ------------------------------------------------------------------------
HARBOUR_FR = ("La maire de Valdoria, Élodie Marchand, a annoncé jeudi que la digue du port "
              "serait renforcée avant l'hiver. Selon Marchand, les travaux coûteront douze "
              "millions d'euros et dureront six mois.")


def test_french_articles_are_read_by_the_french_pipeline() -> None:
    from storyfold.analyze.analysis import analyze_articles
    from storyfold.analyze.entities import model_for

    assert model_for("fr", DEFAULTS.analyze) == "fr_core_news_sm"
    assert model_for("de", DEFAULTS.analyze) == DEFAULTS.analyze.spacy_model
    art = clean(RawDocument("port.txt", "text", HARBOUR_FR))
    assert art.lang == "fr"
    (read,) = analyze_articles([art])
    names = {(m.name, m.label) for m in read.mentions}
    assert ("Élodie Marchand", "PERSON") in names
    assert ("Valdoria", "GPE") in names  # not "La maire de Valdoria" as an organisation
    assert not any(m.name.startswith("La ") for m in read.mentions)


# ---- the multilingual encoder and links across languages ----------------------------------
@pytest.fixture(scope="module")
def encoder() -> MultilingualEncoder:
    return MultilingualEncoder()


def test_a_translation_is_closer_than_another_story(encoder: MultilingualEncoder) -> None:
    de, fr, other = encoder.embed([GERMAN, FRENCH, "A strong earthquake shook the valley."])
    assert np.allclose(np.linalg.norm([de, fr, other], axis=1), 1.0, atol=1e-4)
    assert float(de @ fr) > float(de @ other) + 0.2


def test_an_articles_vector_weighs_its_lead_twice() -> None:
    lead_de = "Die Ardelbahn ist am Donnerstag stehen geblieben. 46 Fahrgäste wurden gerettet. "
    lead_en = "The Ardelbahn cable car stopped on Thursday. 46 passengers were rescued. "
    tail_de = ("Der Gemeinderat berät seit Jahren über einen neuen Busbahnhof, die Kosten sind "
               "umstritten und die Opposition fordert eine Bürgerbefragung im Herbst. ") * 3
    tail_en = ("Tourism in the region has grown for a decade, with new hotels opening along "
               "the lake and farmers selling cheese at weekly markets in the square. ") * 3
    texts = [lead_de + tail_de, lead_en + tail_en]
    both = MultilingualEncoder(lead_chars=len(lead_en)).embed_articles(texts)
    whole = MultilingualEncoder(lead_chars=0).embed_articles(texts)
    assert np.allclose(np.linalg.norm(both, axis=1), 1.0, atol=1e-4)
    assert float(both[0] @ both[1]) > float(whole[0] @ whole[1]) + 0.05


def test_names_overlap_is_taken_over_the_smaller_bag() -> None:
    german = {"valdoria": 3.0, "quintela": 2.0, "feuerwehr": 2.0, "brücken": 1.0, "1200": 1.0}
    english = {"valdoria": 2.0, "quintela": 2.0, "1200": 1.0}
    share, shared = names_overlap(german, english)
    assert share == pytest.approx(1.0) and shared[0] == "valdoria"
    assert names_overlap(german, {"lanford": 1.0}) == (0.0, [])


def test_a_link_needs_closeness_and_shared_names(encoder: MultilingualEncoder) -> None:
    de, fr, other = encoder.embed([GERMAN, FRENCH, "A strong earthquake shook the valley."])
    names = canonical_names({"stadtrat": 1.0, "hafen": 1.0, "2.025": 1.0}, "de")
    same = link_evidence(de, names, (None, None), fr, {"hafen": 1.0, "2025": 1.0}, (None, None))
    assert same.linked and "2025" in same.shared
    far = link_evidence(de, names, (None, None), other, {"valley": 1.0}, (None, None))
    assert not far.linked and far.names == 0.0
    when = datetime(2025, 3, 4, tzinfo=UTC)
    late = link_evidence(de, names, (when, when), fr, {"hafen": 1.0, "2025": 1.0},
                         (datetime(2025, 5, 1, tzinfo=UTC),) * 2)
    assert not late.linked and late.days_apart == pytest.approx(58.0)


# ---- the pipeline ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def valdoria_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('lang') / 'store.db'}"
    store = open_store(url)
    multilingual = replace(DEFAULTS, languages=replace(DEFAULTS.languages, multilingual=True))
    Pipeline(store, multilingual, embedder=Embedder()).add(iter_documents([str(FIXTURE)]))
    store.close()
    return url


@pytest.fixture
def valdoria(valdoria_url: str):
    store = open_store(valdoria_url)
    yield store
    store.close()


def test_stories_by_language_from_the_cli_and_the_api(valdoria_url: str) -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from storyfold.cli import app as cli_app
    from storyfold.web.app import create_app

    def langs(stories: list[dict]) -> list[set[str]]:
        return [set(s["languages"]) for s in stories]

    out = CliRunner().invoke(cli_app, ["stories", "--db", valdoria_url, "--lang", "ES", "--json"])
    assert out.exit_code == 0, out.output
    assert [("es" in ls) for ls in langs(json.loads(out.output)["stories"])] == [True]
    with TestClient(create_app(valdoria_url, warm=False)) as client:
        body = client.get("/api/stories", params={"lang": "de"}).json()
        assert body["stories"] and all("de" in ls for ls in langs(body["stories"]))
        assert client.get("/api/stories", params={"lang": "xx"}).json()["stories"] == []
        assert client.get("/api/stories", params={"lang": "d1; drop"}).status_code in (400, 422)


def _story_of_record(store, record: str) -> str:
    ids = {a.record: a.id for a in store.articles(
        [aid for rec in store.iter_stories() for aid in (m.article_id for m in rec.members)]
    ).values()}
    return store.story_of([ids[record]])[ids[record]]


def _event(store, story_id: str) -> set[str]:
    """A story and the stories linked to it."""
    return {story_id, *(other for other, _, _ in store.story_links(story_id))}


def test_one_event_in_three_languages_is_one_story_or_linked_stories(valdoria) -> None:
    stories = {r: _story_of_record(valdoria, r)
               for r in ("de-1", "de-2", "en-1", "en-2", "es-1", "en-other")}
    assert stories["de-1"] == stories["de-2"] and stories["en-1"] == stories["en-2"]
    event = _event(valdoria, stories["en-1"])
    assert {stories[r] for r in ("de-1", "es-1")} <= event
    assert stories["en-other"] not in event  # another event, same day and language
    assert valdoria.story_links(stories["en-other"]) == []
    links = [ev for _, _, ev in valdoria.story_links(stories["en-1"])]
    assert links and all("valdoria" in ev["shared"] and "1200" in ev["shared"] for ev in links)


def test_the_json_groups_coverage_by_language_and_lists_links(valdoria) -> None:
    from storyfold.output.json import story_json

    en = _story_of_record(valdoria, "en-1")
    data = story_json(valdoria, valdoria.story(en))
    assert len(data["languages"]["en"]) == 2
    assert sum(len(ids) for ids in data["languages"].values()) == len(data["articles"])
    assert {a["lang"] for a in data["articles"]} == set(data["languages"])
    for link in data["linked"]:
        assert link["evidence"]["cosine"] > 0 and link["evidence"]["shared"]
    assert [r.id for r in valdoria.list_stories(lang="es")] == [
        _story_of_record(valdoria, "es-1")]


def test_english_articles_are_encoded_multilingually_only_when_another_language_needs_them(
        valdoria, tmp_path: Path) -> None:
    ids = {json.loads(line)["id"]: line for line in FIXTURE.open()}
    english = tmp_path / "english.jsonl"
    english.write_text("".join(ids[k] for k in ("en-1", "en-2", "en-other")))
    store = open_store(f"sqlite:///{tmp_path / 'en.db'}")
    pipeline = Pipeline(store, DEFAULTS, embedder=Embedder())
    assert pipeline.multilingual is not None  # on by default
    pipeline.add(iter_documents([str(english)]))
    fps = store.fingerprints(
        [m.article_id for rec in store.iter_stories() for m in rec.members])
    assert len(fps) == 3 and all(fp.multilingual is None for fp in fps.values())
    assert pipeline.multilingual.seconds == 0.0  # the encoder never ran
    store.close()
    # in the mixed store, the English story linked to German and Spanish ones has vectors
    en = _story_of_record(valdoria, "en-1")
    mixed = valdoria.fingerprints(valdoria.story_member_ids(en))
    assert len(mixed) == 2 and all(fp.multilingual is not None for fp in mixed.values())


# ---- the graded same-story evaluation -------------------------------------------------------
def test_same_story_eval_reports_pearson_and_f1_per_language_pair(tmp_path: Path) -> None:
    recs = {json.loads(line)["id"]: json.loads(line) for line in FIXTURE.open()}

    def pair(a: str, b: str, label: float) -> str:
        return json.dumps({"id1": a, "id2": b, "text1": recs[a]["title"] + "  " + recs[a]["text"],
                           "text2": recs[b]["title"] + "  " + recs[b]["text"], "label": label,
                           "lang1": recs[a]["lang"], "lang2": recs[b]["lang"]})

    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join([
        pair("de-1", "de-2", 1.0), pair("en-1", "en-2", 1.0), pair("en-1", "en-other", 4.0),
        pair("en-2", "en-other", 3.8), pair("de-1", "en-1", 1.0), pair("de-2", "en-other", 4.0),
        pair("es-1", "en-2", 1.2), pair("es-1", "en-other", 3.9)]) + "\n")
    out = eval_same_story(path, settings=replace(DEFAULTS, languages=replace(
        DEFAULTS.languages, multilingual=True)))
    assert out["pairs"] == 8 and set(out["by_lang"]) == {"de-de", "en-en", "de-en", "es-en"}
    assert out["f1"] == 1.0  # every same-story pair joined or linked, no other pair
    assert out["pearson"] > 0.8
    assert out["by_lang"]["de-en"]["pairs"] == 2


def test_each_language_is_placed_in_its_own_subspace() -> None:
    from storyfold.fingerprint.multilingual import in_placement_space

    rng = np.random.default_rng(7)
    a = rng.standard_normal(512)
    b = a + 0.6 * np.linalg.norm(a) / np.sqrt(512) * rng.standard_normal(512) * np.sqrt(512)
    pair = np.vstack([a / np.linalg.norm(a), b / np.linalg.norm(b)])
    before = float(pair[0] @ pair[1])
    de, es = in_placement_space(pair, "de"), in_placement_space(pair, "es")
    assert de.shape == (2, 384) and np.allclose(np.linalg.norm(de, axis=1), 1.0, atol=1e-5)
    assert abs(float(de[0] @ de[1]) - before) < 0.1  # closeness kept within a language
    assert np.allclose(in_placement_space(pair, "de"), de)  # the same map every time
    assert abs(float(de[0] @ es[0])) < 0.2  # one text, two languages: far apart
