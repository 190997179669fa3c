"""Chunking at paragraph and sentence boundaries with overlap, and reciprocal rank fusion."""

from retrieval.chunking import split_into_chunks
from retrieval.selectors import RRF_K, fts5_match, fuse, websearch_text


def test_short_text_is_one_chunk_with_white_space_tidied():
    assert split_into_chunks("  One   sentence.\nSame paragraph. ", 50, 10) == [
        "One sentence. Same paragraph."
    ]


def test_chunks_end_at_sentence_boundaries_and_overlap_by_whole_sentences():
    text = "Alpha one two. Beta three four. Gamma five six. Delta seven eight."
    assert split_into_chunks(text, 6, 3) == [
        "Alpha one two. Beta three four.",
        "Beta three four. Gamma five six.",
        "Gamma five six. Delta seven eight.",
    ]


def test_a_paragraph_break_ends_a_sentence_without_a_full_stop():
    text = "Heading without stop\n\nBody sentence here. Another one follows."
    chunks = split_into_chunks(text, 5, 0)
    assert chunks == ["Heading without stop", "Body sentence here.", "Another one follows."]


def test_a_sentence_longer_than_a_chunk_is_cut_by_words():
    words = " ".join(f"w{n}" for n in range(25))
    chunks = split_into_chunks(words, 10, 0)
    assert [len(chunk.split()) for chunk in chunks] == [10, 10, 5]
    assert " ".join(chunks) == words


def test_empty_text_has_no_chunks():
    assert split_into_chunks(" \n\n ", 10, 2) == []


def test_rrf_sums_reciprocal_ranks_over_the_lists():
    keyword = [(1, 9.0), (2, 5.0)]
    vector = [(2, 0.9), (3, 0.8)]
    fused = dict(fuse([keyword, vector]))
    assert fused[2] == 1 / (RRF_K + 2) + 1 / (RRF_K + 1)
    assert fused[1] == 1 / (RRF_K + 1)
    assert fused[3] == 1 / (RRF_K + 2)
    assert [pk for pk, _ in fuse([keyword, vector])] == [2, 1, 3]


def test_user_text_is_quoted_for_fts5_and_unquoted_for_websearch():
    assert fts5_match('cat "mat" NEAR(') == '"cat" OR """mat""" OR "NEAR("'
    assert fts5_match("   ") == ""
    assert websearch_text('cat -dog "mat" or') == "cat or dog or mat"
