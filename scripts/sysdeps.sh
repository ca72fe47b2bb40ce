#!/usr/bin/env bash
# Install the Debian packages given as arguments, but only those that are missing.
#
#   scripts/sysdeps.sh fonts-noto-cjk libharfbuzz-subset0 gettext ...
#
# apt-get runs only when something is missing (and `apt-get update` only then), so a
# machine that has everything pays one `dpkg-query` per package. Without root or apt
# (another OS, a locked-down laptop) it prints what to install and carries on: the
# step that needs the package fails later with its own message.
set -euo pipefail

# What each package gives us, for the message on machines where we cannot install it.
describe() {
    case "$1" in
        fonts-noto-cjk) echo "a CJK font (Noto Sans/Serif CJK) for Chinese in PDFs" ;;
        libharfbuzz-subset0) echo "HarfBuzz's font subsetter: WeasyPrint PDFs with Chinese take ~9 s without it, ~0.15 s with it" ;;
        libpango-1.0-0 | libpangoft2-1.0-0) echo "Pango, WeasyPrint's text layout" ;;
        fontconfig) echo "fc-list / font discovery" ;;
        gettext) echo "msgfmt, for manage.py compilemessages" ;;
        chromium) echo "the browser the browser tests drive" ;;
        docker-compose) echo "validates docker-compose.yml in the test suite" ;;
        poppler-utils) echo "pdftoppm: the tests render PDF pages to images (premium receipts, certificates)" ;;
        python3-venv) echo "python3 -m venv, to install uv into .tools/" ;;
        *) echo "" ;;
    esac
}

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

wanted=("$@")
# uv is installed into a venv under .tools/; Debian's python3 needs python3-venv for that.
if ! command -v uv >/dev/null 2>&1 && [ ! -x .tools/uv/bin/uv ] \
    && command -v python3 >/dev/null 2>&1 && ! python3 -c "import ensurepip" 2>/dev/null; then
    wanted+=(python3-venv)
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "sysdeps: no dpkg/apt here (not Debian?): skipping. Make sure you have the equivalents of:"
    for pkg in "${wanted[@]}"; do echo "  - $pkg: $(describe "$pkg")"; done
    exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "sysdeps: all present (${wanted[*]})"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "sysdeps: missing Debian packages, and no root to install them. Please run:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    for pkg in "${missing[@]}"; do echo "  - $pkg: $(describe "$pkg")"; done
    exit 0
fi

echo "sysdeps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
