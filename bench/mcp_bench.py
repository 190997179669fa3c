"""MCP benchmark: tool calls per second on /mcp against REST GETs, one server, one run.

Starts gunicorn (2 sync workers, production settings) on a fresh SQLite file, records the
requests the official MCP SDK client sends for getTodos (a tools/call in each protocol era)
and tools/list, and replays them with wrk, next to the REST GET of the same list. Then, in
one process, the CPU time each of the two takes (time.process_time over all its threads),
which other load on a shared machine disturbs much less than wall-clock throughput.

    .venv/bin/python bench/mcp_bench.py [--seconds 8] [--connections 8]
"""

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from http_bench import PROJECT, seed, wrk  # noqa: E402

from tests.server import manage_shell, migrate, running_server, server_env  # noqa: E402

HOST = "localhost"
# Run by manage.py shell against the benchmark database: CPU milliseconds per request.
CPU_PROBE = """
import json, time
from django.test import Client
client = Client(HTTP_HOST="localhost")
call = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                   "params": {"name": "getTodos", "arguments": {"username": "bench"}}})
headers = {"content_type": "application/json", "HTTP_MCP_PROTOCOL_VERSION": "2025-06-18",
           "HTTP_ACCEPT": "application/json, text/event-stream"}
requests = {"REST GET": lambda: client.get("/todos/bench"),
            "MCP tools/call (2025-06-18)": lambda: client.post("/mcp", call, **headers)}
cpu_ms = {}
for name, send in requests.items():
    assert send().status_code == 200
    start = time.process_time()
    for _ in range(500):
        send()
    cpu_ms[name] = (time.process_time() - start) / 500 * 1000
print(json.dumps(cpu_ms))
"""


def lua_replay(request: httpx2.Request) -> str:
    """A wrk script sending request's method, headers and body on every call."""
    lines = [f"wrk.method = {json.dumps(request.method)}"]
    for name, value in request.headers.items():
        if name.lower() not in {"host", "content-length", "connection"}:
            lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    lines.append(f"wrk.body = {json.dumps(request.content.decode())}")
    return "\n".join(lines) + "\n"


def recorded_requests(base: str, mode: str) -> dict[str, httpx2.Request]:
    """The SDK client's tools/list and tools/call getTodos requests, by JSON-RPC method."""
    seen: dict[str, httpx2.Request] = {}

    async def remember(request: httpx2.Request) -> None:
        body = json.loads(request.content or b"{}")
        if isinstance(body, dict) and body.get("method") in {"tools/list", "tools/call"}:
            seen[body["method"]] = request

    async def session() -> None:
        async with httpx2.AsyncClient(event_hooks={"request": [remember]}, timeout=120) as http:
            transport = streamable_http_client(f"{base}/mcp", http_client=http)
            async with Client(transport, mode=mode, cache=None) as client:
                await client.list_tools()
                result = await client.call_tool("getTodos", {"username": "bench"})
                if len(result.structured_content["todos"]) != 20:
                    sys.exit(f"unexpected answer to getTodos: {result}")

    asyncio.run(session())
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as scratch:
        env = server_env(
            f"sqlite:///{scratch}/mcp-bench.sqlite3",
            API_THROTTLE_RATE="100000000/min",
            DJANGO_LOG_LEVEL="WARNING",
        )
        migrate(env)
        seed(env)
        with running_server(env, workers=2, output=Path(scratch) / "gunicorn.log") as base:
            legacy = recorded_requests(base, "legacy")
            modern = recorded_requests(base, "auto")
            runs = [
                ("REST GET /todos/bench", "/todos/bench", None),
                ("MCP tools/call getTodos (2025-06-18)", "/mcp", lua_replay(legacy["tools/call"])),
                ("MCP tools/call getTodos (2026-07-28)", "/mcp", lua_replay(modern["tools/call"])),
                ("MCP tools/list (2026-07-28)", "/mcp", lua_replay(modern["tools/list"])),
            ]
            results = {}
            for name, path, lua in runs:
                url = f"{base}{path}"
                wrk(url, HOST, 1, args.connections, lua)  # warm-up
                results[name] = wrk(url, HOST, args.seconds, args.connections, lua)
                print(f"  {name:40} {results[name]}", file=sys.stderr)
        cpu_ms = json.loads(manage_shell(env, CPU_PROBE).strip().splitlines()[-1])
    print(f"\ngunicorn 2 sync workers, SQLite, wrk -t2 -c{args.connections} -d{args.seconds}s\n")
    print("| request | req/s | p50 ms | p99 ms | non-2xx |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['non2xx']} |")
    rest = results["REST GET /todos/bench"]["rps"]
    print()
    for name, r in results.items():
        if name.startswith("MCP"):
            print(f"{name} / REST GET = {r['rps'] / rest:.0%}")
    print("\nCPU per request, in one process (Django's test client, 500 requests each):\n")
    for name, ms in cpu_ms.items():
        print(f"{name}: {ms:.2f} ms")
    ratio = cpu_ms["REST GET"] / cpu_ms["MCP tools/call (2025-06-18)"]
    print(f"MCP tools/call calls per CPU second / REST GETs per CPU second = {ratio:.0%}")
    print(f"(project: {PROJECT})", file=sys.stderr)


if __name__ == "__main__":
    main()
