"""nDCG@10 of the retrieval plugin's search modes (keyword, vector, hybrid) against bm25s with
and without a stemmer, in one run, on a test collection with graded relevance judgments in
BEIR's format: corpus.jsonl ({"_id", "title", "text"}), queries.jsonl ({"_id", "text"}) and
qrels/test.tsv (query-id, corpus-id, score; a header line).

The collection is ingested through the plugin's own upsert service into a scratch SQLite
database, and each query runs the /query ranking (chunks ranked, each document counted at its
best chunk). Needs the `bench` extra (bm25s, PyStemmer).

    .venv/bin/python bench/retrieval_quality.py --collection PATH [--max-queries N]
"""

import argparse
import csv
import json
import math
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MODES = ("keyword", "vector", "hybrid")
K = 10


def load(folder: Path) -> tuple[dict[str, dict], dict[str, str], dict[str, dict[str, int]]]:
    corpus = {}
    with (folder / "corpus.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            corpus[str(row["_id"])] = row
    queries = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            queries[str(row["_id"])] = row["text"]
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / "test.tsv").open(encoding="utf-8") as table:
        reader = csv.reader(table, delimiter="\t")
        next(reader)
        for query_id, document_id, score in reader:
            qrels.setdefault(query_id, {})[document_id] = int(score)
    return corpus, queries, qrels


def ndcg_at_k(ranked: list[str], judged: dict[str, int], k: int = K) -> float:
    """nDCG@k with linear gains, as trec_eval's ndcg_cut (and BEIR) compute it."""
    dcg = sum(judged.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def bm25s_rankings(corpus, queries, stemmed: bool) -> dict[str, list[str]]:
    import bm25s

    stemmer = None
    if stemmed:
        import Stemmer

        stemmer = Stemmer.Stemmer("english")
    ids = list(corpus)
    texts = [f"{corpus[i].get('title', '')} {corpus[i]['text']}" for i in ids]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False),
                    show_progress=False)  # fmt: skip
    out = {}
    for query_id, text in queries.items():
        tokens = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, show_progress=False)
        if not tokens.vocab:
            out[query_id] = []
            continue
        results, _ = retriever.retrieve(tokens, k=min(K, len(ids)), show_progress=False)
        out[query_id] = [ids[int(i)] for i in results[0]]
    return out


def plugin_rankings(corpus, queries) -> tuple[dict[str, dict[str, list[str]]], float]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from pluginmeta.models import Plugin
    from retrieval.models import Chunk
    from retrieval.selectors import ranked_chunk_ids
    from retrieval.services import Metadata, NewDocument, upsert_documents

    plugin = Plugin.objects.create(
        slug="quality", kind="retrieval", name_for_human="Quality", name_for_model="quality",
        description_for_human="bench", description_for_model="bench",
        contact_email="bench@example.com", legal_info_url="https://example.com", auth_type="none",
    )  # fmt: skip
    started = time.perf_counter()
    documents = [
        NewDocument(
            text=(row.get("title", "") + "\n\n" + row["text"]).strip() or "(empty)",
            document_id=document_id,
            metadata=Metadata(title=row.get("title", "")[:500]),
        )
        for document_id, row in corpus.items()
    ]
    for start in range(0, len(documents), 200):
        upsert_documents(plugin, "", documents[start : start + 200])
    ingest_seconds = time.perf_counter() - started
    document_of = dict(Chunk.objects.values_list("pk", "document__document_id"))
    rankings: dict[str, dict[str, list[str]]] = {mode: {} for mode in MODES}
    for query_id, text in queries.items():
        for mode in MODES:
            ranked = []
            for pk, _ in ranked_chunk_ids(plugin, "", text, None, 100, mode):
                document_id = document_of[pk]
                if document_id not in ranked:
                    ranked.append(document_id)
            rankings[mode][query_id] = ranked[:K]
    return rankings, ingest_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collection", type=Path, required=True, help="A BEIR-format folder.")
    parser.add_argument("--max-queries", type=int, default=0, help="Judge only the first N.")
    args = parser.parse_args()
    if not (args.collection / "corpus.jsonl").is_file():
        print(f"{args.collection} holds no corpus.jsonl (BEIR format).", file=sys.stderr)
        sys.exit(2)
    corpus, queries, qrels = load(args.collection)
    queries = {q: text for q, text in queries.items() if q in qrels}
    if args.max_queries:
        queries = dict(list(queries.items())[: args.max_queries])
    folder = tempfile.mkdtemp(prefix="retrieval-quality-")
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/quality.sqlite3",
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(PROJECT))
    print(f"{len(corpus)} documents, {len(queries)} judged queries", file=sys.stderr)
    rankings, ingest_seconds = plugin_rankings(corpus, queries)
    rankings["bm25s"] = bm25s_rankings(corpus, queries, stemmed=False)
    rankings["bm25s + stemmer"] = bm25s_rankings(corpus, queries, stemmed=True)
    print(f"collection: {args.collection.name}; {len(corpus)} documents, {len(queries)} queries")
    print(f"ingest through upsert: {ingest_seconds:.1f} s")
    print("| run | nDCG@10 |\n|---|---:|")
    for name, ranked in rankings.items():
        score = sum(ndcg_at_k(ranked[q], qrels[q]) for q in queries) / max(len(queries), 1)
        print(f"| {name} | {score:.4f} |")


if __name__ == "__main__":
    main()
