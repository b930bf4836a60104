"""The shared encoder: each caller gets the token limit it asked for, whatever runs beside it."""

from __future__ import annotations

import threading

import numpy as np

from storyfold.fingerprint import Embedder

TEXTS = [
    "The regional governor said rescue teams with dogs searched the rubble of two apartment "
    "blocks through the night after the magnitude 6.1 earthquake struck the coastal town, "
    "and that more than thirty aftershocks had followed by the morning.",
    "Voters in the city elected the independent candidate as mayor on Sunday with 54 percent "
    "of the vote, ending two decades of rule by the Harbour Party, and turnout was 61 percent.",
]


def test_two_threads_with_different_token_limits_each_get_their_own_vectors(embedder) -> None:
    short, long = Embedder(max_tokens=8), Embedder(max_tokens=128)
    alone = {8: short.embed(TEXTS), 128: long.embed(TEXTS)}
    assert not np.allclose(alone[8], alone[128], atol=1e-2)  # the limit matters here
    got: dict[int, list[np.ndarray]] = {8: [], 128: []}
    start = threading.Barrier(2)

    def work(emb: Embedder) -> None:
        start.wait()
        for _ in range(15):
            got[emb.max_tokens].append(emb.embed(TEXTS))

    threads = [threading.Thread(target=work, args=(e,)) for e in (short, long)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for limit, runs in got.items():
        assert len(runs) == 15
        for vecs in runs:
            np.testing.assert_allclose(vecs, alone[limit], atol=1e-4)
    # a limit passed per call is honoured the same way
    np.testing.assert_allclose(long.embed(TEXTS, max_tokens=8), alone[8], atol=1e-4)
