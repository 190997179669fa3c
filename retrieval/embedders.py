"""Embedders: text to unit-length float32 vectors, chosen by RETRIEVAL["EMBEDDER"].

"wordllama" runs in the process with the weights its wheel ships, no network; "http" posts to
an OpenAI-compatible /embeddings endpoint. Each names itself, and every chunk stores the name
and dimension of the embedder that made its vector, so a change of embedder is detected and
retrieval_reindex re-embeds.
"""

import threading
from functools import cache
from pathlib import Path
from typing import Protocol

import httpx
import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Texts per HTTP request; OpenAI's endpoint takes up to 2048 inputs.
HTTP_BATCH = 256


class EmbedderUnavailable(Exception):
    """The embedder could not embed (its server is down or answered nonsense)."""


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text."""
        ...


def normalized(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class WordLlamaEmbedder:
    """WordLlama's 256-dimension model, loaded once per process from the installed wheel."""

    name = "wordllama-l2-supercat-256"

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def _loaded(self):
        with self._lock:
            if self._model is None:
                import wordllama
                from wordllama import WordLlama

                # Plain load() looks for files the wheel names differently and goes to the
                # network for them; the package's own folder holds the weights and tokenizer.
                self._model = WordLlama.load(
                    cache_dir=Path(wordllama.__file__).parent, disable_download=True
                )
            return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        return normalized(self._loaded().embed(list(texts), norm=True))


class HttpEmbedder:
    """An OpenAI-compatible embeddings endpoint: POST {"model", "input": [...]}."""

    def __init__(self, url: str, model: str, key: str, timeout: float) -> None:
        if not url:
            raise ImproperlyConfigured(
                "RETRIEVAL_EMBEDDER=http needs RETRIEVAL_EMBEDDINGS_URL "
                "(e.g. https://api.openai.com/v1/embeddings)."
            )
        self.url = url
        self.model = model
        self.name = f"http:{model}"
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._timeout = timeout

    def embed(self, texts: list[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for start in range(0, len(texts), HTTP_BATCH):
            rows.extend(self._batch(texts[start : start + HTTP_BATCH]))
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return normalized(np.array(rows, dtype=np.float32))

    def _batch(self, texts: list[str]) -> list[list[float]]:
        body = {"model": self.model, "input": texts, "encoding_format": "float"}
        try:
            response = httpx.post(self.url, json=body, headers=self._headers, timeout=self._timeout)
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            rows = [[float(x) for x in item["embedding"]] for item in data]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise EmbedderUnavailable(f"The embeddings endpoint failed: {exc}") from None
        if len(rows) != len(texts) or len({len(row) for row in rows}) > 1:
            raise EmbedderUnavailable(
                "The embeddings endpoint answered the wrong number of vectors."
            )
        return rows


@cache
def _embedder(kind: str, url: str, model: str, key: str, timeout: float) -> Embedder:
    if kind == "wordllama":
        return WordLlamaEmbedder()
    if kind == "http":
        return HttpEmbedder(url, model, key, timeout)
    raise ImproperlyConfigured(f"RETRIEVAL_EMBEDDER must be wordllama or http, not {kind!r}.")


def current_embedder() -> Embedder:
    """The configured embedder, one per process and configuration."""
    config = settings.RETRIEVAL
    return _embedder(
        config["EMBEDDER"],
        config["EMBEDDINGS_URL"],
        config["EMBEDDINGS_MODEL"],
        config["EMBEDDINGS_KEY"],
        config["EMBEDDINGS_TIMEOUT_SECONDS"],
    )


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4")
