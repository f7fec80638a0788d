#!/usr/bin/env bash
# The Debian packages the report needs: CJK glyphs, fast font subsetting and poppler for looking at PDFs
# (required), and Chromium, in which a test opens the HTML report as a browser would (optional: without
# it that test is skipped and says so). As root they are installed with apt-get; otherwise named.
set -euo pipefail
required=(fonts-noto-cjk libharfbuzz-subset0 poppler-utils)
optional=(chromium)
missing() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
need=($(missing "${required[@]}"))
want=($(missing "${optional[@]}"))
[ ${#need[@]} -eq 0 ] && [ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} ${want[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" "${want[@]}" >/dev/null
  rm -rf ~/.cache/matplotlib  # matplotlib caches its font list: make it see the new fonts
  exit 0
fi
if [ ${#want[@]} -gt 0 ]; then
  echo "optional: sudo apt-get install ${want[*]} (the browser test of the HTML report is skipped without it)" >&2
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "fer-report needs these Debian packages: ${need[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install ${need[*]}" >&2
  echo "(without fonts-noto-cjk Chinese prints as boxes; without libharfbuzz-subset0 every PDF takes ~15 s)" >&2
  exit 1
fi
