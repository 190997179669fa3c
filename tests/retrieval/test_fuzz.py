"""schemathesis against the retrieval host's generated spec, over real HTTP to granian: no
input the spec allows or forbids gets a 500, an undocumented status or a body off its schema."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.retrieval.conftest import RETRIEVAL_HOST, LiveRetrieval

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# A schema-valid request to these may still be refused by design: a delete naming nothing
# (no ids, an empty filter, delete_all false; 400) and a file of a type the server does not
# read (415), both tested in test_contract.py and test_upsert_file.py. They are fuzzed for
# the answers' conformance only. POST /delete, served for clients that send no DELETE body
# but left out of the spec, makes /delete's Allow header name a method the spec does not.
REFUSING_BY_DESIGN = ("delete", "upsertFile")
CONFORMANCE = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance"
)


def fuzz(live: LiveRetrieval, tmp_path: Path, *options: str) -> str:
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live.base}/openapi.json",
        "--url",
        live.base,
        "-H",
        f"Host: {RETRIEVAL_HOST}",
        "-H",
        f"Authorization: Bearer {live.keys['alice']}",
        *options,
        "--max-examples",
        os.environ.get("FUZZ_EXAMPLES", "30"),
        "--seed",
        "20261204",
        "--request-timeout",
        "30",
    ]
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Tested:" in result.stdout
    return result.stdout


def test_every_check_passes_on_the_other_operations(live_retrieval, tmp_path):
    excluded = [
        option for name in REFUSING_BY_DESIGN for option in ("--exclude-operation-id", name)
    ]
    fuzz(live_retrieval, tmp_path, *excluded, "--checks", "all")


@pytest.mark.parametrize("operation", REFUSING_BY_DESIGN)
def test_refusing_operations_answer_within_their_spec(live_retrieval, tmp_path, operation):
    fuzz(live_retrieval, tmp_path, "--include-operation-id", operation, "--checks", CONFORMANCE)
