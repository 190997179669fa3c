"""Cuts a document's text into overlapping chunks at paragraph and sentence boundaries.

Sizes are counted in words: tiktoken fetches its encodings over the network at run time, and
a word count is close enough to what an embedder's window holds.
"""

import re

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# After ., ! or ? (and any closing quote or bracket) followed by white space.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


def _sentences(text: str) -> list[str]:
    """The text's sentences, each ending at a paragraph break or a sentence's last mark."""
    out: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            out.extend(part for part in _SENTENCE_END.split(paragraph) if part)
    return out


def _pieces(sentence: str, max_words: int) -> list[list[str]]:
    words = sentence.split()
    return [words[i : i + max_words] for i in range(0, len(words), max_words)]


def split_into_chunks(text: str, max_words: int, overlap_words: int) -> list[str]:
    """Chunks of at most max_words words; each repeats up to overlap_words words of whole
    sentences from the end of the one before, so a passage cut at a boundary is still found."""
    max_words = max(1, max_words)
    overlap_words = max(0, min(overlap_words, max_words // 2))
    units = [piece for sentence in _sentences(text) for piece in _pieces(sentence, max_words)]
    chunks: list[str] = []
    current: list[list[str]] = []
    size = 0
    for unit in units:
        if current and size + len(unit) > max_words:
            chunks.append(" ".join(" ".join(u) for u in current))
            kept: list[list[str]] = []
            kept_size = 0
            for previous in reversed(current):
                if kept_size + len(previous) > overlap_words:
                    break
                kept.insert(0, previous)
                kept_size += len(previous)
            # The overlap never pushes the next unit over the limit.
            while kept and kept_size + len(unit) > max_words:
                kept_size -= len(kept.pop(0))
            current, size = kept, kept_size
        current.append(unit)
        size += len(unit)
    if current:
        chunks.append(" ".join(" ".join(u) for u in current))
    return chunks
