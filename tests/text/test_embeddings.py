"""The packaged models (MiniLM, USE) load offline and the cache avoids re-embedding."""

import numpy as np

from cohesion.text.embeddings import DIMENSIONS, USE, Embedder


def test_same_meaning_is_closer_than_different_meaning(tmp_path):
    embedder = Embedder(tmp_path)
    a, b, c = embedder.embed(
        [
            "Migrants pushed up housing costs in Stoke",
            "Rents went up because of immigrants",
            "The library opens at nine on Saturdays",
        ]
    )
    assert a.shape == (DIMENSIONS,)
    assert np.isclose(np.linalg.norm(a), 1.0, atol=1e-5)
    assert float(a @ b) > float(a @ c) + 0.2


def test_cache_on_disk_is_reused_and_empty_text_gives_zero_vector(tmp_path):
    first = Embedder(tmp_path)
    vectors = first.embed(["hello", "", "hello", "   "])
    assert first.encoded == 1
    assert not vectors[1].any() and not vectors[3].any()
    second = Embedder(tmp_path)
    again = second.embed(["hello"])
    assert second.encoded == 0
    assert np.allclose(again[0], vectors[0])


def test_short_encode_restores_torch_threads():
    import torch

    from cohesion.text.embeddings import encode

    before = torch.get_num_threads()
    encode(["one short query"])
    assert torch.get_num_threads() == before


def test_store_false_keeps_the_vector_off_disk(tmp_path):
    embedder = Embedder(tmp_path)
    embedder.embed(["a one-off search query"], store=False)
    assert not list(tmp_path.rglob("*.npy"))
    embedder.embed(["a one-off search query"], store=False)
    assert embedder.encoded == 1  # still remembered in memory


def test_the_universal_sentence_encoder_loads_offline_and_caches_apart(tmp_path):
    use = Embedder(tmp_path, model=USE)
    a, b, c = use.embed(
        [
            "Migrants pushed up housing costs in Stoke",
            "Rents went up because of immigrants",
            "The library opens at nine on Saturdays",
        ]
    )
    assert a.shape == (USE.dimensions,) and USE.dimensions != DIMENSIONS
    assert np.isclose(np.linalg.norm(a), 1.0, atol=1e-5)
    assert float(a @ b) > float(a @ c) + 0.2
    # The same text in the same folder: each model keeps and finds its own vector.
    minilm = Embedder(tmp_path)
    assert minilm.embed(["Rents went up because of immigrants"]).shape == (1, DIMENSIONS)
    again = Embedder(tmp_path, model=USE)
    assert np.allclose(again.embed(["Rents went up because of immigrants"])[0], b)
    assert again.encoded == 0 and minilm.encoded == 1
