"""How long `make test`'s pytest run takes, by number of pytest-xdist workers and database.

Runs the whole suite (or the pytest arguments after `--`) once per combination, one after
the other in this one invocation, so the figures compare under the same machine load. Prints,
per run: the database, the workers (0: one process, no xdist), wall seconds, the summary
pytest printed, and the load average before and after; then each run's time relative to the
first. A run that fails is reported, not hidden; each run's whole output is kept in bench/out/.

    .venv/bin/python bench/test_suite_bench.py                       # 0, 2 and 4 workers, SQLite
    .venv/bin/python bench/test_suite_bench.py --workers 2 --database sqlite postgres
    .venv/bin/python bench/test_suite_bench.py --workers 0 4 -- tests/todos
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DATABASES = {
    "sqlite": None,
    "postgres": "postgres://postgres@127.0.0.1:5432/postgres",
}


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def run_suite(database: str, workers: int, pytest_args: list[str]) -> tuple[float, str, int]:
    """Wall seconds, pytest's summary line and its exit status for one run."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if DATABASES[database]:
        env["DATABASE_URL"] = DATABASES[database]
    command = [
        str(Path(sys.executable).with_name("pytest")),
        "-q",
        "-p",
        "no:cacheprovider",
        "-n",
        str(workers),
        "--dist",
        "loadgroup",
        *pytest_args,
    ]
    started = time.monotonic()
    result = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    summaries = re.findall(r"^=*\s*(\d+ (?:passed|failed).*?)\s*=*$", result.stdout, re.MULTILINE)
    summary = summaries[-1] if summaries else result.stdout.strip().splitlines()[-1:]
    log = PROJECT / "bench" / "out" / f"test-suite-{database}-n{workers}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(result.stdout + result.stderr)
    print(f"pytest's output: {log}", file=sys.stderr)
    return seconds, str(summary), result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2, 4])
    parser.add_argument("--database", nargs="+", choices=list(DATABASES), default=["sqlite"])
    parser.add_argument("pytest_args", nargs="*", help="after --: what pytest runs")
    options = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average {load_average()}")
    print(f"{'database':<9} {'workers':>7} {'seconds':>8}  load before -> after  summary")
    runs = []
    failed = False
    for database in options.database:
        for workers in options.workers:
            before = load_average()
            seconds, summary, status = run_suite(database, workers, options.pytest_args)
            failed |= status != 0
            runs.append((database, workers, seconds))
            print(
                f"{database:<9} {workers:>7} {seconds:>8.0f}  {before} -> {load_average()}  "
                f"{summary}",
                flush=True,
            )
    first = runs[0][2]
    print(
        "relative to the first run: "
        + ", ".join(f"{d} -n {w}: {s / first:.2f}" for d, w, s in runs)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
