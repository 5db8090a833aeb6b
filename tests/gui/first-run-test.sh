#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Starts the studio exactly as the README tells a newcomer to:
# `build-aux/setup run` from the checkout, under Xvfb and a private session
# bus, with nothing installed and none of the variables the other GUI tests
# set (GSETTINGS_SCHEMA_DIR, GSETTINGS_BACKEND, LIKENESS_LOCALEDIR) — and a
# fresh home. Passes when the start window appears, the studio quits
# cleanly through its quit action, and its log has no error, critical or
# warning. Then checks the other side: `meson install` into a staging
# folder still installs the schema, and an installed studio without its
# schema says so and exits 1 instead of aborting.
#
#   first-run-test.sh APP_ID
#
# Needs LK_SOURCE_DIR and LK_BUILD_DIR (tests/meson.build sets them).

set -eu

if [ "${1:-}" != "--inner" ]; then
  [ $# -ge 1 ] || { echo "usage: $0 APP_ID" >&2; exit 2; }
  for tool in xvfb-run dbus-run-session gdbus xwininfo gsettings; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "SKIP: $tool is not installed"
      exit 77
    fi
  done
  # A machine where the schema was installed once would hide the problem.
  if env -u GSETTINGS_SCHEMA_DIR gsettings list-schemas 2>/dev/null | grep -qx "$1"; then
    echo "SKIP: the schema $1 is installed on this machine; this test needs one where it is not"
    exit 77
  fi
  exec xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- sh "$0" --inner "$@"
fi
shift

app_id=$1
source_dir=${LK_SOURCE_DIR:?LK_SOURCE_DIR must be set (tests/meson.build does)}
build_dir=${LK_BUILD_DIR:?LK_BUILD_DIR must be set (tests/meson.build does)}
object_path=/$(printf '%s' "$app_id" | tr . /)
work=$build_dir/tests/gui/work-first-run
log=$work/studio.log

rm -rf "$work"
mkdir -p "$work/home"

# What a newcomer's shell has: none of the test environment.
unset GSETTINGS_SCHEMA_DIR GSETTINGS_BACKEND LIKENESS_LOCALEDIR G_DEBUG MALLOC_CHECK_ LANGUAGE
export HOME=$work/home
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_DATA_DIRS
# The same display settings as the other GUI tests (Xvfb has no GL worth
# using, and no accessibility bus).
export GDK_BACKEND=x11 GTK_A11Y=none NO_AT_BRIDGE=1 GDK_DEBUG=gl-disable

studio_pid=
fail() {
  echo "FAIL: $*" >&2
  if [ -f "$log" ]; then
    echo "---- log of build-aux/setup run ----" >&2
    cat "$log" >&2
  fi
  [ -z "$studio_pid" ] || kill "$studio_pid" 2>/dev/null || true
  exit 1
}

window_named() {
  xwininfo -root -tree 2>/dev/null | grep -F -q "\"$1\""
}

# The README's command, from the checkout (BUILD_DIR names the build folder
# this suite runs in; it is _build for the README's own).
(cd "$source_dir" && BUILD_DIR=$build_dir exec build-aux/setup run) >"$log" 2>&1 &
studio_pid=$!

tries=0
until window_named "Likeness"; do
  kill -0 "$studio_pid" 2>/dev/null || fail "build-aux/setup run exited before a window appeared"
  tries=$((tries + 1))
  [ $tries -lt 1200 ] || fail "no window “Likeness” after 120 s"
  sleep 0.1
done
echo "ok - build-aux/setup run opens the studio's window"

gdbus call --session --dest "$app_id" --object-path "$object_path" \
  --method org.gtk.Actions.Activate quit '[]' '{}' >/dev/null ||
  fail "the studio is not on the session bus as $app_id"
status=0
wait "$studio_pid" || status=$?
studio_pid=
[ "$status" -eq 0 ] || fail "the studio exited with status $status"
echo "ok - the studio quits with status 0"

# GLib's "(likeness:PID): Domain-LEVEL **: …" lines, and a crash's words.
if grep -E -n '(ERROR|CRITICAL|WARNING) \*\*|Trace/breakpoint|Segmentation fault|Aborted' "$log" >&2; then
  fail "the log of build-aux/setup run has errors or warnings"
fi
echo "ok - no error, critical or warning in the log"

# meson install still installs the schema (into a staging folder).
stage=$work/stage
meson install -C "$build_dir" --no-rebuild --quiet --destdir "$stage" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "meson install --destdir failed"; }
schema=$(find "$stage" -path "*/glib-2.0/schemas/$app_id.gschema.xml" | head -n 1)
[ -n "$schema" ] || fail "meson install did not install $app_id.gschema.xml"
installed=$(find "$stage" -path '*/bin/likeness' -type f | head -n 1)
[ -n "$installed" ] || fail "meson install did not install bin/likeness"
echo "ok - meson install installs the studio and its schema"

# An installed studio never reads a build folder: without an installed
# schema it says what is missing and exits 1 (GLib would abort).
status=0
"$installed" >"$work/installed.log" 2>&1 || status=$?
[ "$status" -eq 1 ] || { cat "$work/installed.log" >&2; fail "an installed studio without its schema exited with $status, not 1"; }
grep -q "$app_id" "$work/installed.log" ||
  { cat "$work/installed.log" >&2; fail "the message does not name the schema $app_id"; }
echo "ok - an installed studio without its schema says so and exits 1"
rm -rf "$stage"
