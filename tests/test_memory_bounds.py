"""Long-running processes keep their memory bounded: what a server reads for days must not
accumulate in any cache without a bound."""

from __future__ import annotations

import random
import string

from storyfold.analyze.entities import annotate, load_pipeline


def _unseen_words(rng: random.Random, sentences: int) -> str:
    """Sentences of made-up names and words, none of which spaCy has met before."""
    def word(k: int) -> str:
        return "".join(rng.choices(string.ascii_lowercase, k=k))

    return " ".join(f"{word(9).capitalize()} said the {word(8)} would {word(7)} on Monday."
                    for _ in range(sentences))


def test_reading_new_words_does_not_grow_the_nlp_vocabulary() -> None:
    rng = random.Random(13)
    nlp = load_pipeline()
    annotate([_unseen_words(rng, 20)])  # any one-off growth (lazy tables) happens here
    before = len(nlp.vocab.strings)
    for _ in range(5):
        out = annotate([_unseen_words(rng, 40) for _ in range(3)])
        assert all(a.mentions is not None for a in out)
    assert len(nlp.vocab.strings) == before


def test_annotations_outlive_the_memory_zone() -> None:
    """The annotations are plain data: usable after spaCy forgot the words they came from."""
    text = "Halvorsen Quibbleton told reporters in Oslo that the plan would go ahead."
    (first,) = annotate([text])
    (again,) = annotate([text])
    assert [m.name for m in first.mentions] == [m.name for m in again.mentions]
    assert any("Oslo" == m.name for m in first.mentions)


def test_the_french_pipeline_forgets_new_words_too() -> None:
    """French articles are read by their own pipeline, inside a memory zone like English."""
    from storyfold.analyze.entities import _load, model_for
    from storyfold.settings import DEFAULTS

    rng = random.Random(17)
    model = model_for("fr", DEFAULTS.analyze)
    nlp = _load(model)
    annotate([_unseen_words(rng, 20)], model=model)
    before = len(nlp.vocab.strings)
    for _ in range(3):
        annotate([_unseen_words(rng, 40) for _ in range(3)], model=model)
    assert len(nlp.vocab.strings) == before
