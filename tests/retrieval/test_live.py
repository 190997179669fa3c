"""The retrieval API over real HTTP, against granian with two worker processes: the contract's
main path, and concurrent upserts of one document id from two clients at once."""

import threading

from tests.retrieval.conftest import LiveRetrieval


def version_text(label: str, sentences: int) -> str:
    # Paragraphs of their own, so every chunk holds the label's words only.
    return "\n\n".join(
        f"{label}{n} shared words about the {label} release." for n in range(sentences)
    )


def test_upsert_query_fetch_and_delete_over_http(live_retrieval: LiveRetrieval):
    document = {"id": "live-1", "text": "Granian serves the retrieval plugin over HTTP."}
    response = live_retrieval.call("POST", "/upsert", json={"documents": [document]})
    assert response.status_code == 200
    assert response.json() == {"ids": ["live-1"]}
    body = {"queries": [{"query": "granian retrieval", "top_k": 1}]}
    hits = live_retrieval.call("POST", "/query", json=body).json()["results"][0]["results"]
    assert [hit["id"] for hit in hits] == ["live-1_0"]
    assert live_retrieval.call("GET", "/documents/live-1", user="bob").status_code == 404
    assert live_retrieval.call("GET", "/documents/live-1", user=None).status_code == 401
    assert live_retrieval.call("GET", "/documents/live-1").json()["chunk_count"] == 1
    deleted = live_retrieval.call("DELETE", "/delete", json={"ids": ["live-1"]})
    assert deleted.json() == {"success": True}
    assert live_retrieval.call("GET", "/documents/live-1").status_code == 404


def test_concurrent_upserts_of_one_id_leave_exactly_one_version(live_retrieval: LiveRetrieval):
    versions = {"alpha": version_text("alpha", 60), "beta": version_text("beta", 45)}
    for round_number in range(6):
        document_id = f"contested-{round_number}"
        barrier = threading.Barrier(len(versions))
        statuses: list[int] = []

        def send(text: str, document_id: str = document_id, barrier=barrier, statuses=statuses):
            body = {"documents": [{"id": document_id, "text": text}]}
            barrier.wait()
            statuses.append(live_retrieval.call("POST", "/upsert", json=body).status_code)

        threads = [threading.Thread(target=send, args=(text,)) for text in versions.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [200, 200]
        fetched = live_retrieval.call("GET", f"/documents/{document_id}").json()
        winner = next(label for label, text in versions.items() if text == fetched["text"])
        loser = "beta" if winner == "alpha" else "alpha"
        query = {
            "query": "shared words release",
            "filter": {"document_id": document_id},
            "top_k": 100,
            "mode": "keyword",
        }
        hits = live_retrieval.call("POST", "/query", json={"queries": [query]}).json()
        texts = [hit["text"] for hit in hits["results"][0]["results"]]
        assert len(texts) == fetched["chunk_count"]
        assert all(winner in text and loser not in text for text in texts)
        assert sorted({hit["id"] for hit in hits["results"][0]["results"]}) == sorted(
            f"{document_id}_{n}" for n in range(fetched["chunk_count"])
        )


def test_concurrent_file_uploads_each_keep_their_own_text(live_retrieval: LiveRetrieval):
    from tests.retrieval.files import pdf_bytes

    files = {f"upload-{n}.pdf": pdf_bytes(f"Upload number {n} about moon{n}") for n in range(4)}
    answers: dict[str, str] = {}

    def send(name: str, data: bytes) -> None:
        response = live_retrieval.call(
            "POST", "/upsert-file", files={"file": (name, data, "application/octet-stream")}
        )
        assert response.status_code == 200, response.text
        answers[name] = response.json()["ids"][0]

    threads = [threading.Thread(target=send, args=item) for item in files.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == len(files)
    for name, document_id in answers.items():
        document = live_retrieval.call("GET", f"/documents/{document_id}").json()
        number = name.split("-")[1].split(".")[0]
        assert document["text"] == f"Upload number {number} about moon{number}"
        assert document["title"] == name
    too_big = live_retrieval.call(
        "POST", "/upsert-file", files={"file": ("big.txt", b"x" * (11 * 1024 * 1024))}
    )
    assert too_big.status_code == 413
    assert too_big.json()["error"] == "payload_too_large"


def test_the_production_server_takes_upserts_and_files_larger_than_other_bodies(
    live_retrieval: LiveRetrieval,
):
    # Over the general body limit (64 KiB) and Django's in-memory upload size (2.5 MiB),
    # under RETRIEVAL_MAX_UPSERT_BYTES and RETRIEVAL_MAX_FILE_BYTES.
    text = "A long report sentence about harbour budgets. " * 3000
    body = {"documents": [{"id": "big-upsert", "text": text}]}
    response = live_retrieval.call("POST", "/upsert", json=body)
    assert response.status_code == 200, response.text
    data = ("Line about lighthouse maintenance.\n" * 90_000).encode()
    assert len(data) > 3 * 1024 * 1024
    uploaded = live_retrieval.call(
        "POST", "/upsert-file", files={"file": ("big.txt", data, "application/octet-stream")}
    )
    assert uploaded.status_code == 200, uploaded.text
    (document_id,) = uploaded.json()["ids"]
    fetched = live_retrieval.call("GET", f"/documents/{document_id}").json()
    assert fetched["text"] == data.decode().strip()
