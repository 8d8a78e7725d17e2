#!/usr/bin/env bash
# make pytest-host: the Python package's tests (pytest, the golden corpus
# included) in a virtualenv of their own, kept in the user's cache directory
# and named by a hash of requirements.txt and the Python version: the first
# run installs the pinned requirements from PyPI, later runs reuse it. The
# package is built from this folder (hatch_build.py copies host/seclabel.wasm
# into the wheel) and installed into it on every run.
#
# Without python3 3.11+ and its venv module the tests are skipped with a
# message, unless CI is set: then they fail. PYTHON names another
# interpreter; arguments go to pytest. With --python the script only prepares
# the environment and prints its interpreter (for bench/harness), failing
# when it cannot.
set -euo pipefail
cd "$(dirname "$0")"

py=${PYTHON:-python3}
only_env=
if [ "${1:-}" = --python ]; then
	only_env=1
	shift
fi
unavailable() {
	if [ -n "${CI:-}${only_env}" ]; then
		echo "pytest-host: $1" >&2
		exit 1
	fi
	echo "pytest-host: skipped: $1"
	exit 0
}
command -v "$py" >/dev/null 2>&1 || unavailable "no $py (apt-get install python3 python3-venv)"
"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
	unavailable "the tests need Python 3.11 or later, $py is $("$py" --version 2>&1)"
"$py" -c 'import venv, ensurepip' 2>/dev/null || unavailable "$py has no venv with pip (apt-get install python3-venv)"

hash=$({ cat requirements.txt; "$py" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16)
venv=${XDG_CACHE_HOME:-$HOME/.cache}/seclabel/venv-$hash
# A virtualenv cannot be moved (its scripts name their own path): it is
# built in place and marked complete last, so a run cut short is redone.
if [ ! -f "$venv/.complete" ]; then
	rm -rf "$venv"
	"$py" -m venv "$venv"
	"$venv/bin/python" -m pip install --disable-pip-version-check -q -r requirements.txt >&2
	touch "$venv/.complete"
fi
# Built with the pinned hatchling, offline.
"$venv/bin/python" -m pip install --disable-pip-version-check -q --no-index --no-build-isolation --no-deps --force-reinstall . >&2
if [ -n "$only_env" ]; then
	echo "$venv/bin/python"
	exit 0
fi
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
