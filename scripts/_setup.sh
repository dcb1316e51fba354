# Sourced by scripts/run, scripts/test and scripts/bench: make .venv if missing and install gdplay into it
# (again only when pyproject.toml changed), and set VENV_PYTHON to its interpreter (.venv/bin/python, or
# .venv/Scripts/python.exe under Git Bash on Windows). Usage: gdplay_setup [extras]
gdplay_setup() {
    local extras="${1:-}"
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    cd "$root" || return 1
    local python="${PYTHON:-python3}"
    # Windows (Git Bash) often has only "python" or the "py" launcher
    command -v "$python" >/dev/null 2>&1 || ! command -v python >/dev/null 2>&1 || python=python
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
        echo "gdplay needs Python 3.10 or newer; '$python' is $("$python" --version 2>&1 || echo missing)." >&2
        echo "Set PYTHON=/path/to/python3.11 and try again." >&2
        return 1
    fi
    venv_python() { if [ -x .venv/Scripts/python.exe ]; then echo .venv/Scripts/python.exe; else echo .venv/bin/python; fi; }
    if [ ! -x "$(venv_python)" ]; then
        echo "Creating .venv ..." >&2
        "$python" -m venv .venv || { echo "Could not create .venv (on Debian: apt-get install python3-venv)." >&2; return 1; }
    fi
    VENV_PYTHON="$(venv_python)"
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
        "$VENV_PYTHON" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
        { "$VENV_PYTHON" -m pip install --quiet -e "$spec" 2>&1 || true; } \
            | { grep -v "is ignored: it is neither" || true; } >&2
        if ! "$VENV_PYTHON" -c 'import gdplay, PySide6, pyqtgraph, numpy' 2>/dev/null; then
            echo "Installing gdplay's packages failed; see the messages above." >&2
            return 1
        fi
        echo "$want" > "$stamp"
    fi
}
