#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every catalogue named in po/LINGUAS compiles with msgfmt --check; the
# complete ones (given after the source root) have no untranslated and no
# fuzzy messages.
# Usage: check-po.sh SOURCE_ROOT [COMPLETE_LANG...]
set -u
root=${1:?usage: check-po.sh SOURCE_ROOT [COMPLETE_LANG...]}
shift
command -v msgfmt >/dev/null 2>&1 || { echo "msgfmt not found"; exit 77; }
linguas=$(sed -e 's/#.*//' "$root/po/LINGUAS")
[ -n "$(echo $linguas)" ] || { echo "po/LINGUAS names no language"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for lang in $linguas; do
  po="$root/po/$lang.po"
  if [ ! -f "$po" ]; then
    echo "po/LINGUAS names $lang but po/$lang.po is missing"
    status=1
    continue
  fi
  if ! LC_ALL=C msgfmt --check --statistics -o "$tmp/$lang.mo" "$po" 2>"$tmp/$lang.stats"; then
    cat "$tmp/$lang.stats"
    echo "po/$lang.po does not compile"
    status=1
    continue
  fi
  echo "$lang: $(cat "$tmp/$lang.stats")"
done

for lang in "$@"; do
  [ -f "$tmp/$lang.stats" ] || { echo "no statistics for $lang"; status=1; continue; }
  stats=$(cat "$tmp/$lang.stats")
  case "$stats" in
    *untranslated*|*fuzzy*)
      echo "po/$lang.po must be complete: $stats"
      status=1 ;;
  esac
  translated=$(echo "$stats" | sed -n 's/^\([0-9][0-9]*\) translated message.*/\1/p')
  if [ -z "$translated" ] || [ "$translated" -eq 0 ]; then
    echo "po/$lang.po translates nothing"
    status=1
  fi
done
exit $status
