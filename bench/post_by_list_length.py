"""addTodo's cost against the length of the list: its todo_idx is a count of the rows ahead.

Times todos.services.add_todo in-process (no HTTP) on lists of several lengths, on the
database DATABASE_URL names (SQLite by default: a scratch file in bench/out/). Prints the
median microseconds per call.

    .venv/bin/python bench/post_by_list_length.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aips_bench_len .venv/bin/python \\
        bench/post_by_list_length.py          # the database must exist; it is migrated
"""

import os
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
LENGTHS = [20, 1_000, 10_000, 50_000]
CALLS = 300


def main() -> None:
    out = PROJECT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    scratch = out / "post-by-length.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40)
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    from django.core.management import call_command

    from pluginmeta.models import Plugin
    from todos import services
    from todos.models import Todo

    call_command("migrate", verbosity=0)
    plugin = Plugin.objects.get(slug="todo")
    print(f"database: {django.db.connection.vendor}; median of {CALLS} add_todo calls\n")
    print("| list length | µs per add_todo |")
    print("|---:|---:|")
    for length in LENGTHS:
        owner = f"len{length}"
        Todo.objects.filter(plugin=plugin, owner=owner).delete()
        Todo.objects.bulk_create(
            [Todo(plugin=plugin, owner=owner, text=f"item {i}") for i in range(length)],
            batch_size=5000,
        )
        timings = []
        for _ in range(CALLS):
            start = time.perf_counter()
            services.add_todo(plugin, owner, "benchmark item")
            timings.append(time.perf_counter() - start)
        print(f"| {length:,} | {statistics.median(timings) * 1e6:.0f} |")
        Todo.objects.filter(plugin=plugin, owner=owner).delete()


if __name__ == "__main__":
    main()
