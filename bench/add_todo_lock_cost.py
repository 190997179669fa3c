"""What addTodo's per-list lock costs: services.add_todo against the same insert and count
without any lock (a lock-free add, whose todo_idx is wrong under concurrency).

In-process, on the database DATABASE_URL names (SQLite by default: a scratch file in
bench/out/; a Postgres database must exist, it is migrated). Alternates blocks of calls of
the two so a noisy machine slows both alike; prints the median wall time per call and, on
Postgres when /proc shows the server process (same machine), its CPU time per call, which
the machine's load disturbs far less than wall time.

    .venv/bin/python bench/add_todo_lock_cost.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aips_bench_lock .venv/bin/python \\
        bench/add_todo_lock_cost.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BLOCKS = 12
CALLS = 200

# The add without a lock: an insert and a count of the rows ahead, in one statement.
UNLOCKED_SQL = {
    "postgresql": (
        "WITH new AS (INSERT INTO todos_todo (plugin_id, owner, text, created_at) "
        "VALUES (%s, %s, %s, now()) RETURNING id) SELECT COUNT(*) FROM todos_todo t, new "
        "WHERE t.plugin_id = %s AND t.owner = %s AND t.id < new.id"
    ),
    "sqlite": (
        "INSERT INTO todos_todo (plugin_id, owner, text, created_at) "
        "VALUES (%s, %s, %s, datetime('now')) RETURNING (SELECT COUNT(*) FROM todos_todo "
        "AS ahead WHERE ahead.plugin_id = %s AND ahead.owner = %s AND ahead.id < todos_todo.id)"
    ),
}


def server_cpu_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    out = PROJECT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    scratch = out / "add-lock-cost.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from pluginmeta.db import fetch_all
    from pluginmeta.models import Plugin
    from todos import services
    from todos.models import Todo

    call_command("migrate", verbosity=0)
    plugin = Plugin.objects.get(slug="todo")
    Todo.objects.filter(plugin=plugin, owner__startswith="lockcost").delete()
    unlocked_sql = UNLOCKED_SQL[connection.vendor]
    pid = None
    if connection.vendor == "postgresql":
        ((pid,),) = fetch_all("SELECT pg_backend_pid()", ())
        if not Path(f"/proc/{pid}/stat").exists():
            pid = None

    def unlocked() -> None:
        fetch_all(unlocked_sql, (plugin.pk, "lockcost-a", "item", plugin.pk, "lockcost-a"))

    def locked() -> None:
        services.add_todo(plugin, "lockcost-b", "item")

    figures: dict[str, list[tuple[float, float]]] = {"unlocked": [], "add_todo": []}
    for _ in range(BLOCKS):
        for name, call in (("unlocked", unlocked), ("add_todo", locked)):
            cpu, wall = server_cpu_seconds(pid), time.perf_counter()
            for _ in range(CALLS):
                call()
            figures[name].append(
                ((time.perf_counter() - wall) / CALLS, (server_cpu_seconds(pid) - cpu) / CALLS)
            )
    Todo.objects.filter(plugin=plugin, owner__startswith="lockcost").delete()

    print(f"database: {connection.vendor}; {BLOCKS} alternating blocks of {CALLS} calls\n")
    print("| add | µs per call (median block) | server CPU µs per call |")
    print("|---|---:|---:|")
    medians = {}
    for name, rows in figures.items():
        wall = statistics.median(row[0] for row in rows) * 1e6
        cpu = statistics.median(row[1] for row in rows) * 1e6
        medians[name] = (wall, cpu)
        print(f"| {name} | {wall:.0f} | {f'{cpu:.0f}' if pid else 'n/a'} |")
    ratio = medians["add_todo"][0] / medians["unlocked"][0]
    print(f"\nadd_todo / unlocked, wall time: {ratio:.0%}")
    if pid and medians["unlocked"][1]:
        cpu_ratio = medians["add_todo"][1] / medians["unlocked"][1]
        print(f"add_todo / unlocked, server CPU: {cpu_ratio:.0%}")


if __name__ == "__main__":
    main()
