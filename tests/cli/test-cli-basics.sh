#!/usr/bin/env bash
# likeness-cli: help, version, exit codes, info, new/show.
set -u
cli=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check DESCRIPTION EXPECTED_STATUS COMMAND...
  local what=$1 want=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "not ok - $what: exit $got, wanted $want"; cat "$tmp/out" "$tmp/err"; fail=1
  else
    echo "ok - $what"
  fi
}
contains() {  # contains DESCRIPTION FILE PATTERN
  if grep -qE "$3" "$2"; then echo "ok - $1"; else echo "not ok - $1: no /$3/ in:"; cat "$2"; fail=1; fi
}

check "--help exits 0" 0 "$cli" --help
contains "--help lists the commands" "$tmp/out" '^  info'
check "--version exits 0" 0 "$cli" --version
contains "--version prints the version" "$tmp/out" '^likeness-cli [0-9]+\.[0-9]+\.[0-9]+$'
check "no command is a usage error" 2 "$cli"
check "an unknown command is a usage error" 2 "$cli" frobnicate
contains "an unknown command is named" "$tmp/err" 'frobnicate'
check "an unknown option is a usage error" 2 "$cli" info --frobnicate
check "info exits 0" 0 "$cli" info
for lib in ffmpeg libtorch dlib sqlite; do
  contains "info names $lib with a version" "$tmp/out" "^$lib +[0-9]+\.[0-9]+"
done
contains "info names the device" "$tmp/out" '^device +.+\((cpu|cuda)\)$'
check "info --json exits 0" 0 "$cli" info --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["device"]["kind"] in ("cpu","cuda"); assert all(k in d["versions"] for k in ("ffmpeg","libtorch","dlib","sqlite"))' "$tmp/out" \
  && echo "ok - info --json parses" || { echo "not ok - info --json"; fail=1; }

check "new creates a project" 0 "$cli" new "$tmp/Demo"
contains "new prints the folder" "$tmp/out" 'Demo\.likeness$'
[ -f "$tmp/Demo.likeness/project.db" ] && echo "ok - project.db exists" || { echo "not ok - no project.db"; fail=1; }
check "new refuses an existing project" 1 "$cli" new "$tmp/Demo"
contains "the error names the folder" "$tmp/err" 'Demo\.likeness'
check "show --json" 0 "$cli" show --json "$tmp/Demo.likeness"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["A"]["faces"]==0 and d["schema-version"]>=1' "$tmp/out" \
  && echo "ok - show --json parses" || { echo "not ok - show --json"; fail=1; }
check "show of a missing project fails" 1 "$cli" show "$tmp/missing.likeness"
contains "the error names the missing project" "$tmp/err" 'missing\.likeness'
exit $fail
