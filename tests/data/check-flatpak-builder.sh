#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# flatpak-builder parses the manifest and reads back the app id and the
# command (it exits 0 on some type errors, so the output is checked too).
# Usage: check-flatpak-builder.sh MANIFEST APP_ID
set -u
manifest=${1:?usage: check-flatpak-builder.sh MANIFEST APP_ID}
app_id=${2:?usage: check-flatpak-builder.sh MANIFEST APP_ID}
command -v flatpak-builder >/dev/null 2>&1 || { echo "flatpak-builder not installed"; exit 77; }
out=$(flatpak-builder --show-manifest "$manifest" 2>&1) || { echo "$out"; echo "flatpak-builder cannot parse $manifest"; exit 1; }
if command -v python3 >/dev/null 2>&1; then
  printf '%s\n' "$out" | python3 -c '
import json, sys
m = json.load(sys.stdin)
app_id = sys.argv[1]
assert (m.get("app-id") or m.get("id")) == app_id, "app-id: %r" % m.get("app-id")
assert m.get("command") == "likeness", "command: %r" % m.get("command")
assert m.get("modules"), "no modules"
print("flatpak-builder read %d modules" % len(m["modules"]))
' "$app_id" || { echo "flatpak-builder's view of $manifest is wrong"; exit 1; }
else
  printf '%s\n' "$out" | grep -q "\"$app_id\"" || { echo "app id missing from flatpak-builder's output"; exit 1; }
fi
