# Shared by the scripts in this folder: the project's virtual environment, created on first use.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${G2P_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

# ensure_venv [EXTRA]: the venv with the project installed (editable), plus an optional extra.
ensure_venv() {
    local extras="${1:-}"
    local target="$ROOT"
    [ -n "$extras" ] && target="$ROOT[$extras]"
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    local stamp="$VENV/.installed-${extras:-base}"
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -e "$target"
        touch "$stamp"
    fi
}

# Installs Debian packages when they are missing and we may (root with apt); otherwise says what is missing.
ensure_debian_packages() {
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        echo "Installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "Missing Debian packages (install them to run every test): ${missing[*]}" >&2
        return 1
    fi
}
