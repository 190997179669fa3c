"""A keyword /query in FastAPI + SQLAlchemy over the retrieval tables, the query benchmark's peer:
what a user might write instead of the retrieval plugin, on the same database and indexes
(FTS5 with bm25() on SQLite, the tsvector column with websearch_to_tsquery and ts_rank
normalised by length on Postgres, as the plugin ranks).

It serves one plugin's shared corpus (RETRIEVAL_PEER_PLUGIN_ID), without auth, and answers
the same body as the plugin's keyword mode.
"""

import os

from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, event, text


def engine_url(database_url: str) -> str:
    if database_url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return database_url


engine = create_engine(engine_url(os.environ["DATABASE_URL"]), pool_size=8)
PLUGIN_ID = int(os.environ["RETRIEVAL_PEER_PLUGIN_ID"])
if engine.dialect.name == "sqlite":

    @event.listens_for(engine, "connect")
    def tune_sqlite(connection, _record) -> None:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=20000")

    SEARCH = text(
        "SELECT c.position, c.text, d.document_id, d.title, d.author, -bm25(retrieval_chunk_fts) "
        "FROM retrieval_chunk_fts JOIN retrieval_chunk c ON c.id = retrieval_chunk_fts.rowid "
        "JOIN retrieval_document d ON d.id = c.document_id "
        "WHERE retrieval_chunk_fts MATCH :match AND d.plugin_id = :plugin AND d.owner = '' "
        "ORDER BY bm25(retrieval_chunk_fts) LIMIT :top_k"
    )

    def match_text(query: str) -> str:
        return " OR ".join('"' + term.replace('"', '""') + '"' for term in query.split())

else:
    SEARCH = text(
        "SELECT c.position, c.text, d.document_id, d.title, d.author, "
        "ts_rank(c.search_vector, q, 1) FROM retrieval_chunk c "
        "JOIN retrieval_document d ON d.id = c.document_id, "
        "websearch_to_tsquery('english', :match) q "
        "WHERE c.search_vector @@ q AND d.plugin_id = :plugin AND d.owner = '' "
        "ORDER BY 6 DESC LIMIT :top_k"
    )

    def match_text(query: str) -> str:
        return " or ".join(term.strip('"-') for term in query.split())


app = FastAPI()


class Query(BaseModel):
    query: str = Field(min_length=1, max_length=4000)
    top_k: int = Field(default=3, ge=1, le=100)


class QueryRequest(BaseModel):
    queries: list[Query] = Field(min_length=1, max_length=20)


@app.post("/query")
def query(body: QueryRequest) -> dict:
    results = []
    with engine.connect() as connection:
        for item in body.queries:
            rows = connection.execute(
                SEARCH, {"match": match_text(item.query), "plugin": PLUGIN_ID, "top_k": item.top_k}
            ).all()
            hits = [
                {
                    "id": f"{document_id}_{position}",
                    "text": chunk_text,
                    "metadata": {"document_id": document_id, "title": title, "author": author},
                    "score": float(score),
                }
                for position, chunk_text, document_id, title, author, score in rows
            ]
            results.append({"query": item.query, "results": hits})
    return {"results": results}


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}
