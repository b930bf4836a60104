"""The shared encoder: each caller gets the token limit it asked for, whatever runs beside it."""

from __future__ import annotations

import os
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


def test_encoder_threads_never_exceed_the_cores_this_process_may_use() -> None:
    from storyfold.fingerprint.embed import available_cores, encoder_threads

    cores = available_cores()
    assert 1 <= cores <= (os.cpu_count() or 1)
    assert encoder_threads(0) == cores  # 0: all of them
    assert encoder_threads(1) == 1
    assert encoder_threads(cores + 64) == cores  # asking for more gets what there is


def test_a_cgroup_cpu_quota_caps_the_available_cores(monkeypatch) -> None:
    import builtins
    import io

    from storyfold.fingerprint import embed

    real_open = builtins.open

    def fake_open(path, *args, **kwargs):  # a container limited to one CPU and a half
        if str(path) == "/sys/fs/cgroup/cpu.max":
            return io.StringIO("150000 100000\n")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    assert embed.available_cores() == 1
