# Sourced by scripts/run, scripts/test and scripts/bench: make .venv if missing and install gdplay into it
# (again only when pyproject.toml changed). Usage: gdplay_setup [extras]
gdplay_setup() {
    local extras="${1:-}"
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    cd "$root" || return 1
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        echo "gdplay needs Python 3.10 or newer; '$python' is $("$python" --version 2>&1 || echo missing)." >&2
        echo "Set PYTHON=/path/to/python3.11 and try again." >&2
        return 1
    fi
    if [ ! -x .venv/bin/python ]; then
        echo "Creating .venv ..." >&2
        "$python" -m venv .venv || { echo "Could not create .venv (on Debian: apt-get install python3-venv)." >&2; return 1; }
    fi
    local spec="."
    [ -n "$extras" ] && spec=".[$extras]"
    local stamp=".venv/.gdplay-installed-${extras:-base}"
    local want
    want="$(cat pyproject.toml | sha1sum | cut -d' ' -f1)"
    if [ -z "$extras" ] && [ -f .venv/.gdplay-installed-test ] \
            && [ "$(cat .venv/.gdplay-installed-test)" = "$want" ]; then
        return 0  # the test install has everything the base one has
    fi
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "Installing gdplay${extras:+ with $extras extras} into .venv ..." >&2
        .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
        { .venv/bin/python -m pip install --quiet -e "$spec" 2>&1 || true; } \
            | { grep -v "is ignored: it is neither" || true; } >&2
        if ! .venv/bin/python -c 'import gdplay, PySide6, pyqtgraph, numpy' 2>/dev/null; then
            echo "Installing gdplay's packages failed; see the messages above." >&2
            return 1
        fi
        echo "$want" > "$stamp"
    fi
}
