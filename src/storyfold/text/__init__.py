"""The text toolkit: the one place storyfold splits, tokenises and reads text.

* `quotes` — quoted passages (curly, straight, single) and the quote-balance test.
* `sentences` — the one sentence splitter, with the boundary rules its callers need.
* `tokens` — word tokenisers, the stemmer and the stop-word lists.
* `calendar` — month and weekday names.
* `numbers` — when two figures are one value.
* `headline` — a title without the outlet's name; a headline from a sentence.

Every module is pure (functions and constants, no state), so stages and threads share it.
"""
