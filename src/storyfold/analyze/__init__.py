"""Reading a story: what its articles say, where they agree and differ, and its write-up.

Per article (`analysis`, cached): `entities` (spaCy mentions), `quotes`, `facts` (claim
sentences) from `numbers` and `dates`, which tie each value to a `slots` event.
Across articles (`compare`): `quote_groups` (with `variants`), `claims`, `conflicts`.
The write-up (`summary`): `candidates`, `evidence`, `selection`, `headline`, `timeline`,
`keys`. `service.StoryAnalyzer` computes and caches both for a stored story.
Text handling (sentences, words, months) is `storyfold.text`.
"""
