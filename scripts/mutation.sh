#!/usr/bin/env bash
# Mutation testing of the security- and data-critical modules, run by hand (see docs/records/mutation-testing.md).
#   scripts/mutation.sh                      every module listed in [tool.mutmut] of pyproject.toml
#   scripts/mutation.sh "pluginmeta.hosts*"  only the mutants whose names match
# Each mutant runs the tests marked `mutation` (pytest -m mutation) that reach its function.
# Results stay in mutants/ (git-ignored): `.venv/bin/mutmut results`, `.venv/bin/mutmut show NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
test -x .venv/bin/mutmut || .venv/bin/python -m pip install --quiet -e ".[test,mutation]"
# One child at a time: every mutant's tests share one reused SQLite test database.
export DJANGO_TEST_DB_FILE="$PWD/.test-db-mutation.sqlite3"
.venv/bin/mutmut run --max-children 1 "$@"
.venv/bin/mutmut results
