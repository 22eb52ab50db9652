#!/usr/bin/env bash
# Installs the Debian packages Anchang needs when they are missing.
#   run:  the CJK font for PDFs and the libraries WeasyPrint loads (Pango, HarfBuzz)
#   test: the same, plus Debian's Chromium (browser tests) and poppler-utils (pdftoppm)
#   bench: run's, plus valgrind (bench/instructions.py counts instructions with callgrind)
set -euo pipefail
what="${1:-run}"
missing=()

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if ! fc-list :lang=zh family 2>/dev/null | grep -q .; then missing+=(fonts-noto-cjk fontconfig); fi
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b; do
  have_pkg "$pkg" || missing+=("$pkg")
done
if [ "$what" = "test" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  command -v zbarimg >/dev/null || missing+=(zbar-tools)  # decodes printed QR codes in tests
fi
if [ "$what" = "bench" ]; then
  command -v valgrind >/dev/null || missing+=(valgrind)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "==> System packages: all present"
  exit 0
fi

echo "==> Installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "Need root to install: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
echo "==> Installed: ${missing[*]}"
