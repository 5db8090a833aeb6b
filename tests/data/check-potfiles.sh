#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file under app/, ui/ and engine/ with translatable strings must be
# listed in po/POTFILES.in, and every file listed there must exist.
# Usage: check-potfiles.sh SOURCE_ROOT
set -u
root=${1:?usage: check-potfiles.sh SOURCE_ROOT}
potfiles="$root/po/POTFILES.in"
[ -f "$potfiles" ] || { echo "missing $potfiles"; exit 1; }

listed=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$potfiles")
status=0

for f in $listed; do
  if [ ! -f "$root/$f" ]; then
    echo "po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done

cd "$root" || exit 1
candidates=$(find app ui engine -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.ui' -o -name '*.blp' \) 2>/dev/null | sort)
checked=0
for f in $candidates; do
  checked=$((checked + 1))
  if grep -Eq '(^|[^A-Za-z0-9_])(N|C|NC|Q)?_ ?\(|g_dn?gettext|ngettext ?\(|translatable="yes"' "$f"; then
    if ! printf '%s\n' "$listed" | grep -qxF "$f"; then
      echo "$f has translatable strings but is not listed in po/POTFILES.in"
      status=1
    fi
  fi
done

echo "checked $checked files under app/, ui/ and engine/"
exit $status
