#!/usr/bin/env bash
# The Debian packages the PDF needs: CJK glyphs, fast font subsetting, and poppler for looking at PDFs.
set -euo pipefail
pkgs=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -rf ~/.cache/matplotlib  # matplotlib caches its font list: make it see the new fonts
else
  echo "fer-report needs these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install ${missing[*]}" >&2
  echo "(without fonts-noto-cjk Chinese prints as boxes; without libharfbuzz-subset0 every PDF takes ~15 s)" >&2
  exit 1
fi
