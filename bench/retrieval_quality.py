"""nDCG@10 of the retrieval plugin's search modes (keyword, vector, hybrid) against bm25s with
and without a stemmer, in one run, on a test collection with relevance judgments, in either
of two formats (the folder decides):

- BEIR's: corpus.jsonl ({"_id", "title", "text"}), queries.jsonl ({"_id", "text"}) and
  qrels/test.tsv (query-id, corpus-id, score; a header line);
- Cranfield's classic files: cran.all.1400 and cran.qry (records opened by `.I`, fields by
  `.T`, `.A`, `.B`, `.W`) and cranqrel (query, document, grade). The grades run from 1, a
  complete answer, to 4, of minimum interest (5 and -1, no interest, give nothing): the gain
  is 5 - grade. cranqrel numbers the queries 1 to 225 in the order of cran.qry, not by the
  numbers after their `.I`.

The collection is ingested through the plugin's own upsert service into a scratch database
of each kind (SQLite, Postgres), and each query runs the /query ranking (chunks ranked, each
document counted at its best chunk). Needs the `bench` extra (bm25s, PyStemmer).

    .venv/bin/python bench/retrieval_quality.py --collection PATH [--max-queries N]
        [--db sqlite postgres]
"""

import argparse
import csv
import json
import math
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MODES = ("keyword", "vector", "hybrid")
K = 10


Collection = tuple[dict[str, dict], dict[str, str], dict[str, dict[str, int]]]


def load(folder: Path) -> Collection:
    """The corpus, the queries and the judgments, from a BEIR or a Cranfield folder."""
    if (folder / "cranqrel").is_file():
        return load_cranfield(folder)
    return load_beir(folder)


def load_beir(folder: Path) -> Collection:
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


def classic_records(path: Path) -> list[dict[str, str]]:
    """The records of a SMART-format file: each `.I n` opens one, each `.X` line a field."""
    records: list[dict[str, str]] = []
    field = ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(".I"):
            records.append({"I": line[2:].strip()})
            field = ""
        elif len(line) == 2 and line[0] == "." and line[1].isalpha() and records:
            field = line[1]
            records[-1].setdefault(field, "")
        elif records and field:
            records[-1][field] += line.strip() + " "
    # The files end with a bare `.I`: a record with no number.
    return [record for record in records if record["I"]]


def cranfield_gain(grade: int) -> int:
    """Grade 1 (a complete answer) gains 4, ..., grade 4 (minimum interest) 1; others 0."""
    return 5 - grade if 1 <= grade <= 4 else 0


def load_cranfield(folder: Path) -> Collection:
    corpus = {
        record["I"]: {"title": record.get("T", "").strip(), "text": record.get("W", "").strip()}
        for record in classic_records(folder / "cran.all.1400")
    }
    queries = {
        str(ordinal): record.get("W", "").strip()
        for ordinal, record in enumerate(classic_records(folder / "cran.qry"), start=1)
    }
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "cranqrel").read_text().splitlines():
        if line.strip():
            query_id, document_id, grade = line.split()[:3]
            gain = cranfield_gain(int(grade))
            if gain:
                qrels.setdefault(query_id, {})[document_id] = gain
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


def judged(collection: Path, max_queries: int) -> Collection:
    corpus, queries, qrels = load(collection)
    queries = {q: text for q, text in queries.items() if q in qrels}
    if max_queries:
        queries = dict(list(queries.items())[:max_queries])
    return corpus, queries, qrels


def plugin_run(collection: Path, max_queries: int, database_url: str) -> None:
    """Ingests and ranks on one database (Django set up for it); the rankings as JSON on
    stdout. Each database runs in a process of its own, as Django binds one per process."""
    corpus, queries, _ = judged(collection, max_queries)
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(PROJECT))
    rankings, ingest_seconds = plugin_rankings(corpus, queries)
    print(json.dumps({"rankings": rankings, "ingest_seconds": ingest_seconds}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--collection", type=Path, required=True, help="A BEIR or a Cranfield folder."
    )
    parser.add_argument("--max-queries", type=int, default=0, help="Judge only the first N.")
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not any((args.collection / name).is_file() for name in ("corpus.jsonl", "cranqrel")):
        print(
            f"{args.collection} holds neither corpus.jsonl (BEIR) nor cranqrel (Cranfield).",
            file=sys.stderr,
        )
        sys.exit(2)
    if args.database_url:
        plugin_run(args.collection, args.max_queries, args.database_url)
        return
    from http_bench import each_database

    corpus, queries, qrels = judged(args.collection, args.max_queries)
    print(f"{len(corpus)} documents, {len(queries)} judged queries", file=sys.stderr)
    scores: dict[str, dict[str, float]] = {}
    ingest = {}
    for label, url in each_database(args, "retrieval_quality", "aips_bench_quality"):
        child = subprocess.run(
            [sys.executable, __file__, "--collection", str(args.collection),
             "--max-queries", str(args.max_queries), "--database-url", url],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        answer = json.loads(child.stdout.strip().splitlines()[-1])
        ingest[label] = answer["ingest_seconds"]
        for mode, ranked in answer["rankings"].items():
            scores.setdefault(f"{mode}", {})[label] = mean_ndcg(ranked, queries, qrels)
    for name, stemmed in (("bm25s", False), ("bm25s + stemmer", True)):
        ranked = bm25s_rankings(corpus, queries, stemmed=stemmed)
        scores[name] = dict.fromkeys(args.db, mean_ndcg(ranked, queries, qrels))
    print(f"collection: {args.collection.name}; {len(corpus)} documents, {len(queries)} queries")
    print("ingest through upsert: " + ", ".join(f"{db} {s:.1f} s" for db, s in ingest.items()))
    print("| run | " + " | ".join(f"nDCG@10 {db}" for db in args.db) + " |")
    print("|---|" + "---:|" * len(args.db))
    for name, by_db in scores.items():
        print(f"| {name} | " + " | ".join(f"{by_db[db]:.4f}" for db in args.db) + " |")


def mean_ndcg(ranked: dict[str, list[str]], queries, qrels) -> float:
    return sum(ndcg_at_k(ranked[q], qrels[q]) for q in queries) / max(len(queries), 1)


if __name__ == "__main__":
    main()
