#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the studio under Xvfb and a private D-Bus session bus and drives it
# through its actions: create a project, show each area and take a
# screenshot of it, open the preferences, quit. Fails on a blank or
# unchanged screenshot, a missing project folder or database, a CRITICAL or
# WARNING in the studio's log, or a non-zero exit.
#
#   studio-test.sh STUDIO SCHEMA_DIR APP_ID [LANGUAGE]
#
# With LANGUAGE (e.g. "de") the studio runs translated; where the build
# holds that catalogue (po/<lang>/LC_MESSAGES/likeness.mo, found through
# LIKENESS_LOCALEDIR) the preferences window's title must be the
# catalogue's translation of "Preferences".
#
# Screenshots go to $LK_BUILD_DIR/screenshots[/<lang>]/<area>.png.

set -eu

if [ "${1:-}" != "--inner" ]; then
  [ $# -ge 3 ] || { echo "usage: $0 STUDIO SCHEMA_DIR APP_ID [LANGUAGE]" >&2; exit 2; }
  for tool in xvfb-run dbus-run-session gdbus import convert compare xwininfo; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "SKIP: $tool is not installed"
      exit 77
    fi
  done
  exec xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- sh "$0" --inner "$@"
fi
shift

studio=$1
schema_dir=$2
app_id=$3
lang=${4:-}

build_dir=${LK_BUILD_DIR:?LK_BUILD_DIR must be set (tests/meson.build does)}
object_path=/$(printf '%s' "$app_id" | tr . /)
suffix=${lang:+-$lang}
shots=$build_dir/screenshots${lang:+/$lang}
work=$build_dir/tests/gui/work$suffix
log=$work/studio.log

export GDK_BACKEND=x11
export GTK_A11Y=none
export NO_AT_BRIDGE=1
export GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR=$schema_dir
export LIKENESS_LOCALEDIR=$build_dir/po
export GST_PLUGIN_FEATURE_RANK=fakeaudiosink:MAX
# No OpenGL: under Xvfb it is Mesa's software rasterizer, whose GL thread for
# GStreamer (the Export area's player) has crashed the studio inside
# swrast_dri.so (once in about a dozen runs). Cairo draws the same widgets.
export GDK_DEBUG=gl-disable
# No cross-test state: a fresh home for the recent-files list and caches.
export HOME=$work/home
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
# The application icon from the source tree.
export XDG_DATA_DIRS=${LK_SOURCE_DIR:+$LK_SOURCE_DIR/data:}${XDG_DATA_DIRS:-/usr/local/share:/usr/share}
if [ -n "$lang" ]; then
  export LANGUAGE=$lang
  # The translated run also shows the dark style (the system's preference
  # as libadwaita sees it; the studio follows it by default).
  export ADW_DEBUG_COLOR_SCHEME=prefer-dark
else
  unset LANGUAGE || true
fi

rm -rf "$work" "$shots"
mkdir -p "$work" "$HOME" "$shots"

fail() {
  echo "FAIL: $*" >&2
  if [ -f "$log" ]; then
    echo "---- studio log ----" >&2
    cat "$log" >&2
  fi
  kill "$studio_pid" 2>/dev/null || true
  exit 1
}

call() {  # call OBJECT_PATH METHOD ARGS...
  path=$1 method=$2
  shift 2
  gdbus call --session --dest "$app_id" --object-path "$path" --method "$method" "$@"
}

activate() {  # activate OBJECT_PATH ACTION PARAMETER
  call "$1" org.gtk.Actions.Activate "$2" "$3" '{}' >/dev/null ||
    fail "activating $2 on $1"
}

window_named() {
  xwininfo -root -tree 2>/dev/null | grep -F -q "\"$1\""
}

# wait_for DESCRIPTION COMMAND...: polls until COMMAND succeeds, at most
# 300 tries; fails at once if the studio has exited.
wait_for() {
  what=$1
  shift
  tries=0
  until "$@"; do
    kill -0 "$studio_pid" 2>/dev/null || fail "the studio exited while waiting for $what"
    tries=$((tries + 1))
    [ $tries -lt 300 ] || fail "gave up waiting for $what"
    sleep 0.1
  done
}

studio_pid=
"$studio" >"$log" 2>&1 &
studio_pid=$!

described() {
  call "$object_path" org.gtk.Actions.DescribeAll >/dev/null 2>&1
}
wait_for "the studio on the bus" described
wait_for "the main window" window_named "Likeness"

# The actions the studio promises to scripts.
actions=$(call "$object_path" org.gtk.Actions.List)
for action in new-project open-project create-project open-project-path show-area \
              preferences shortcuts about quit; do
  printf '%s' "$actions" | grep -q "'$action'" || fail "app.$action is missing: $actions"
done

shot() {  # shot NAME: screenshot of the screen, checked not to be blank
  import -window root "$shots/$1.png" || fail "screenshot $1"
  sd=$(convert "$shots/$1.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
  awk -v sd="$sd" 'BEGIN { exit !(sd > 0.02) }' || fail "screenshot $1 is blank (sd $sd)"
}

# shot_changed NAME PREVIOUS: waits until the screen differs from the
# screenshot PREVIOUS and then until it stops changing (transitions end),
# and keeps that as NAME.
same() {  # same A B: the two screenshots are identical
  pixels=$(compare -metric AE "$shots/$1.png" "$shots/$2.png" null: 2>&1 || true)
  [ "${pixels%% *}" = 0 ]
}
differs() {
  import -window root "$shots/$1.png" 2>/dev/null && ! same "$1" "$2"
}
settled() {  # three screenshots in a row, 0.2 s apart, are the same
  cp "$shots/$1.png" "$shots/$1.prev.png"
  sleep 0.2
  import -window root "$shots/$1.png" 2>/dev/null && same "$1" "$1.prev" || return 1
  sleep 0.2
  import -window root "$shots/$1.png" 2>/dev/null && same "$1" "$1.prev"
}
shot_changed() {
  wait_for "the screen to change after $2" differs "$1" "$2"
  wait_for "the screen to settle on $1" settled "$1"
  rm -f "$shots/$1.prev.png"
  shot "$1"
}

# The window is mapped; wait for its first frames to be drawn.
import -window root "$shots/start.png"
sleep 0.5
wait_for "the start page to settle" settled start
rm -f "$shots/start.prev.png"
shot start

project="$work/Test Project"
activate "$object_path" create-project "[<'$project'>]"
wait_for "the project window" window_named "Test Project"
[ -d "$project.likeness" ] || fail "no project folder $project.likeness"
[ -f "$project.likeness/project.db" ] || fail "no project.db in $project.likeness"

# The window's actions are exported next to the application's.
window_path=$object_path/window/1
window_actions=$(call "$window_path" org.gtk.Actions.List) ||
  fail "no window actions on $window_path"
for area in faces train masks export; do
  printf '%s' "$window_actions" | grep -q "'show-$area'" ||
    fail "win.show-$area is missing: $window_actions"
done

previous=start
for area in faces train masks export; do
  activate "$window_path" "show-$area" '[]'
  shot_changed "$area" "$previous"
  previous=$area
done

# Sources of both people, where the test data is at hand: the Faces area
# lists them.
if [ -n "${LK_TESTDATA_DIR:-}" ] && [ -f "$LK_TESTDATA_DIR/videos/person_a.mp4" ]; then
  activate "$window_path" show-faces '[]'
  shot_changed faces-empty export
  activate "$window_path" add-source "[<('A', '$LK_TESTDATA_DIR/videos/person_a.mp4')>]"
  activate "$window_path" add-source "[<('B', '$LK_TESTDATA_DIR/videos/person_b.mp4')>]"
  image=$(ls "$LK_TESTDATA_DIR"/images/*.jpg | head -n 1)
  activate "$window_path" add-source "[<('B', '$image')>]"
  shot_changed faces-sources faces-empty
else
  echo "NOTE: no test data in LK_TESTDATA_DIR; sources are not added"
fi

# ---- Faces area: extraction, the face grid, curation (faces engineer) -----
# Adds the two tiny clips, extracts both people through win.extract, waits
# for the extraction to end (win.cancel-extract is enabled while one runs)
# and for faces in the project database, then shows the grid.
faces_db_count() {  # faces_db_count IDENTITY: faces of A (0) or B (1) in the project
  if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 -readonly "$project.likeness/project.db" \
      "SELECT count(*) FROM faces WHERE identity = $1" 2>/dev/null || echo 0
  else
    python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("SELECT count(*) FROM faces WHERE identity = ?", (int(sys.argv[2]),)).fetchone()[0])' \
      "$project.likeness/project.db" "$1" 2>/dev/null || echo 0
  fi
}
faces_db_query() {  # faces_db_query SQL: one number from the project database
  python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute(sys.argv[2]).fetchone()[0])' "$project.likeness/project.db" "$1" 2>/dev/null || echo 0
}
faces_all_included() {
  [ "$(faces_db_query 'SELECT count(*) FROM faces WHERE included = 0')" -eq 0 ]
}
extraction_over() {
  call "$window_path" org.gtk.Actions.Describe cancel-extract | grep -q '(false,'
}
faces_of_both() {
  [ "$(faces_db_count 0)" -gt 0 ] && [ "$(faces_db_count 1)" -gt 0 ]
}
if [ -n "${LK_TESTDATA_DIR:-}" ] && [ -f "$LK_TESTDATA_DIR/videos/tiny_person_c.mp4" ]; then
  for action in extract extract-all cancel-extract show-identity exclude-selected \
                include-selected undo redo auto-curate analyse-faces delete-excluded; do
    printf '%s' "$window_actions" | grep -q "'$action'" ||
      fail "win.$action is missing: $window_actions"
  done
  activate "$window_path" show-faces '[]'
  import -window root "$shots/faces-before-extract.png"
  activate "$window_path" add-source "[<('A', '$LK_TESTDATA_DIR/videos/tiny_person_c.mp4')>]"
  activate "$window_path" add-source "[<('B', '$LK_TESTDATA_DIR/videos/tiny_person_d.mp4')>]"
  activate "$window_path" extract "[<'A'>]"
  activate "$window_path" extract "[<'B'>]"
  call "$window_path" org.gtk.Actions.Describe cancel-extract | grep -q '(true,' ||
    fail "win.cancel-extract is not enabled while extracting"
  shot faces-extracting
  tries=0
  until extraction_over; do
    kill -0 "$studio_pid" 2>/dev/null || fail "the studio exited while extracting"
    tries=$((tries + 1))
    [ $tries -lt 3000 ] || fail "gave up waiting for the extraction"
    sleep 0.1
  done
  faces_of_both || fail "no faces of A ($(faces_db_count 0)) or B ($(faces_db_count 1)) after extraction"
  activate "$window_path" show-identity "[<'A'>]"
  shot_changed faces-grid faces-extracting
  # Exclude the selection (none: nothing changes), then the undo stack over D-Bus.
  call "$window_path" org.gtk.Actions.Describe undo | grep -q '(false,' ||
    fail "win.undo is enabled before any change"
  activate "$window_path" show-identity "[<'B'>]"
  shot_changed faces-grid-b faces-grid
  # One face selected: the detail panel with its source frame.
  activate "$window_path" select-face "[<uint32 3>]"
  shot_changed faces-detail faces-grid-b
  # The automatic first pass with the default thresholds (measures, groups
  # duplicates, excludes), then its undo: every face included again.
  activate "$window_path" auto-curate-defaults '[]'
  tries=0
  until call "$window_path" org.gtk.Actions.Describe cancel-analysis | grep -q '(false,' &&
        [ "$(faces_db_query 'SELECT count(*) FROM faces WHERE sharpness IS NOT NULL')" -gt 0 ]; do
    kill -0 "$studio_pid" 2>/dev/null || fail "the studio exited while curating"
    tries=$((tries + 1))
    [ $tries -lt 3000 ] || fail "gave up waiting for the automatic pass"
    sleep 0.1
  done
  excluded=$(faces_db_query 'SELECT count(*) FROM faces WHERE included = 0')
  [ "$excluded" -gt 0 ] || fail "the automatic pass excluded nothing"
  shot faces-curated
  call "$window_path" org.gtk.Actions.Describe undo | grep -q '(true,' ||
    fail "win.undo is not enabled after the automatic pass"
  activate "$window_path" undo '[]'
  wait_for "the undo of the automatic pass" faces_all_included
else
  echo "NOTE: no tiny clips in LK_TESTDATA_DIR; faces are not extracted"
fi
# ---- end of the Faces area block ---------------------------------------------

# ---- Train area: training in the studio (train engineer) ---------------------
# A project of its own, independent of the blocks above: likeness-cli new,
# extract of the tiny clips (every 4th frame), and one iteration of a tiny
# model with likeness-cli train, which stores the settings (64 px, widths
# 16, batch 4) and a first checkpoint. Opened by path, the Train area
# starts training (win.train-start), its chart and preview fill, closing
# the project while it trains asks first, and win.train-stop saves a newer
# checkpoint in model/.
cli=$(dirname "$studio")/likeness-cli
train_db_max_iteration() {
  python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("SELECT coalesce(max(iteration), 0) FROM losses").fetchone()[0])' \
    "$train_project.likeness/project.db" 2>/dev/null || echo 0
}
newest_checkpoint() {  # the highest iteration among model/ckpt-<iteration>.safetensors
  ls "$train_project.likeness/model" 2>/dev/null |
    sed -n 's/^ckpt-\([0-9]*\)\.safetensors$/\1/p' | sort -n | tail -n 1
}
action_enabled() {  # action_enabled NAME: the window action is enabled
  call "$window_path" org.gtk.Actions.Describe "$1" | grep -q '(true,'
}
action_disabled() {
  call "$window_path" org.gtk.Actions.Describe "$1" | grep -q '(false,'
}
trained_on() {  # the database holds losses beyond the first iteration
  [ "$(train_db_max_iteration)" -ge 4 ]
}
checkpoint_after() {  # checkpoint_after N: a checkpoint newer than iteration N
  newest=$(newest_checkpoint)
  [ -n "$newest" ] && [ "$newest" -gt "$1" ]
}
if [ -n "${LK_TESTDATA_DIR:-}" ] && [ -f "$LK_TESTDATA_DIR/videos/tiny_person_d.mp4" ] &&
   "$cli" train --help >/dev/null 2>&1 && python3 -c 'import sqlite3' 2>/dev/null; then
  for action in train-start train-pause train-resume train-stop; do
    printf '%s' "$window_actions" | grep -q "'$action'" ||
      fail "win.$action is missing: $window_actions"
  done
  # A project without faces: starting explains why, in the page.
  "$cli" new "$work/Empty Project" >/dev/null || fail "likeness-cli new"
  activate "$object_path" open-project-path "[<'$work/Empty Project.likeness'>]"
  wait_for "the empty project" window_named "Empty Project"
  activate "$window_path" show-train '[]'
  wait_for "win.train-start" action_enabled train-start
  import -window root "$shots/train-before-error.png"
  activate "$window_path" train-start '[]'
  shot_changed train-error train-before-error
  rm -f "$shots/train-before-error.png"
  action_disabled train-stop || fail "win.train-stop is enabled after a failed start"

  train_project="$work/Train Project"
  "$cli" new "$train_project" >/dev/null || fail "likeness-cli new"
  "$cli" extract "$train_project.likeness" --identity A --every 4 --quiet \
    "$LK_TESTDATA_DIR/videos/tiny_person_c.mp4" >/dev/null || fail "likeness-cli extract A"
  "$cli" extract "$train_project.likeness" --identity B --every 4 --quiet \
    "$LK_TESTDATA_DIR/videos/tiny_person_d.mp4" >/dev/null || fail "likeness-cli extract B"
  "$cli" train "$train_project.likeness" --iterations 1 --size 64 --encoder-width 16 \
    --decoder-width 16 --bottleneck 64 --batch 4 --save-every 0 --quiet >/dev/null ||
    fail "likeness-cli train"
  first=$(newest_checkpoint)
  [ -n "$first" ] || fail "likeness-cli train saved no checkpoint"

  activate "$object_path" open-project-path "[<'$train_project.likeness'>]"
  wait_for "the train project" window_named "Train Project"
  activate "$window_path" show-train '[]'
  shot_changed train-ready export
  action_disabled train-stop || fail "win.train-stop is enabled before training"
  wait_for "win.train-start" action_enabled train-start

  activate "$window_path" train-start '[]'
  wait_for "win.train-stop while training" action_enabled train-stop
  action_disabled train-start || fail "win.train-start is enabled while training"
  # Losses reach the database every 2 s, after the chart has them.
  tries=0
  until trained_on; do
    kill -0 "$studio_pid" 2>/dev/null || fail "the studio exited while training"
    tries=$((tries + 1))
    [ $tries -lt 1200 ] || fail "no losses beyond iteration 1 in the database"
    sleep 0.1
  done
  sleep 0.5
  wait_for "the chart to change the screen" differs train-running train-ready
  shot train-running

  # Closing the project while it trains asks first; stopping some other
  # way answers the question.
  activate "$window_path" close-project '[]'
  heading=$(TEXTDOMAINDIR=$LIKENESS_LOCALEDIR gettext -d likeness "Stop Training and Save?")
  wait_for "the question “$heading”" window_named "$heading"
  # The chart keeps the screen changing: give the dialog time to be drawn.
  sleep 1
  shot train-close-question
  window_named "Train Project" || fail "the project closed while it trained"

  activate "$window_path" train-stop '[]'
  wait_for "a checkpoint after iteration $first" checkpoint_after "$first"
  wait_for "win.train-start after stopping" action_enabled train-start
  dialog_gone() { ! window_named "$heading"; }
  wait_for "the question to go" dialog_gone
  window_named "Train Project" || fail "the project closed after win.train-stop"
  shot_changed train-stopped train-running

  activate "$object_path" open-project-path "[<'$project.likeness'>]"
  wait_for "the test project again" window_named "Test Project"
else
  echo "NOTE: no tiny clips, likeness-cli train or python3's sqlite3; training is not tried"
fi
# ---- end of the Train area block ---------------------------------------------

# ---- Masks and Export areas (masks/export engineer) --------------------------
# A project of its own: likeness-cli new, extract of person A and person B
# and, where likeness-cli has train, two iterations of a tiny model. Opened
# by path, the Masks area shows a frame (win.masks-seek); a new feather
# (win.masks-set) must change the preview itself (the left of the screen,
# where the frame is; the settings panel is on the right). The Export area
# exports to a temporary file (win.export-set, win.export), which must end
# with its provenance record and pass `likeness-cli verify`; the page then
# shows the player and its own verification.
masks_cli=$(dirname "$studio")/likeness-cli
masks_left() {  # masks_left NAME: the left 60 % of the screenshot NAME
  convert "$shots/$1.png" -crop 60%x100%+0+0 +repage "$work/$1-left.png"
}
if [ -n "${LK_TESTDATA_DIR:-}" ] && [ -f "$LK_TESTDATA_DIR/videos/person_b.mp4" ] &&
   [ -x "$masks_cli" ]; then
  for action in masks-next-frame masks-previous-frame masks-toggle-overlay masks-toggle-split \
                masks-seek masks-set export export-cancel export-verify export-open-folder; do
    printf '%s' "$window_actions" | grep -q "'$action'" ||
      fail "win.$action is missing: $window_actions"
  done
  masks_project="$work/Masks Project"
  "$masks_cli" new "$masks_project" >/dev/null || fail "likeness-cli new"
  "$masks_cli" extract "$masks_project.likeness" --identity A --every 6 --size 64 --quiet \
    "$LK_TESTDATA_DIR/videos/person_a.mp4" >/dev/null || fail "likeness-cli extract A"
  "$masks_cli" extract "$masks_project.likeness" --identity B --every 4 --size 64 --quiet \
    "$LK_TESTDATA_DIR/videos/person_b.mp4" >/dev/null || fail "likeness-cli extract B"
  masks_trained=
  if "$masks_cli" train --help >/dev/null 2>&1; then
    "$masks_cli" train "$masks_project.likeness" --iterations 2 --size 64 --batch 4 \
      --encoder-width 16 --decoder-width 16 --bottleneck 64 --save-every 0 --quiet \
      >/dev/null || fail "likeness-cli train"
    masks_trained=1
  else
    echo "NOTE: likeness-cli has no train command; the Masks preview shows the original frames"
  fi

  activate "$object_path" open-project-path "[<'$masks_project.likeness'>]"
  wait_for "the masks project" window_named "Masks Project"
  import -window root "$shots/masks-before.png"
  activate "$window_path" show-masks '[]'
  activate "$window_path" masks-seek '[<2.5>]'
  activate "$window_path" masks-toggle-overlay '[]'
  shot_changed masks-preview masks-before
  rm -f "$shots/masks-before.png"

  if [ -n "$masks_trained" ]; then
    activate "$window_path" masks-set "[<('mask.feather', '40')>]"
    shot_changed masks-feather masks-preview
    masks_left masks-preview
    masks_left masks-feather
    pixels=$(compare -metric AE "$work/masks-preview-left.png" "$work/masks-feather-left.png" \
             null: 2>&1 || true)
    [ "${pixels%% *}" != 0 ] || fail "a new feather did not change the Masks preview"
    stored=$(python3 -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute("SELECT value FROM settings WHERE key = ?", ("mask.feather",)).fetchone()[0])' \
      "$masks_project.likeness/project.db" 2>/dev/null || echo "?")
    [ "$stored" = 40 ] || [ "$stored" = "?" ] || fail "mask.feather is stored as “$stored”"
    activate "$window_path" masks-toggle-split '[]'
    shot_changed masks-split masks-feather

    masks_out="$work/export/Masks result.mp4"
    activate "$window_path" show-export '[]'
    activate "$window_path" export-set "[<('export.output', '$masks_out')>]"
    activate "$window_path" export-set "[<('export.preset', 'ultrafast')>]"
    activate "$window_path" export '[]'
    tries=0
    until [ -f "$masks_out" ] && [ -f "$masks_out.likeness.json" ]; do
      kill -0 "$studio_pid" 2>/dev/null || fail "the studio exited while exporting"
      tries=$((tries + 1))
      [ $tries -lt 1800 ] || fail "no $masks_out and its record after 180 s"
      sleep 0.1
    done
    "$masks_cli" verify "$masks_out" >/dev/null || fail "likeness-cli verify $masks_out"
    masks_verify_enabled() {
      call "$window_path" org.gtk.Actions.Describe export-verify | grep -q '(true,'
    }
    masks_verified() { grep -q "Verified $masks_out" "$log"; }
    wait_for "the export to finish in the studio" masks_verify_enabled
    activate "$window_path" export-verify '[]'
    wait_for "the studio's own verification" masks_verified
    shot_changed export-done masks-split
  else
    echo "NOTE: no trained model; the feather and the export are not tried"
  fi

  activate "$object_path" open-project-path "[<'$project.likeness'>]"
  wait_for "the test project again" window_named "Test Project"
else
  echo "NOTE: no test data or likeness-cli; the Masks and Export areas are not tried"
fi
# ---- end of the Masks and Export block --------------------------------------

# The same through the application (for scripts that know no window).
activate "$object_path" show-area "[<'faces'>]"
shot_changed faces-again export

activate "$object_path" preferences '[]'
if [ -n "$lang" ] && [ -f "$LIKENESS_LOCALEDIR/$lang/LC_MESSAGES/likeness.mo" ]; then
  title=$(TEXTDOMAINDIR=$LIKENESS_LOCALEDIR LANGUAGE=$lang gettext -d likeness "Preferences")
  if [ "$title" = "Preferences" ]; then
    echo "NOTE: the $lang catalogue does not translate “Preferences” yet"
  else
    wait_for "the preferences window titled “$title”" window_named "$title"
  fi
elif [ -n "$lang" ]; then
  echo "NOTE: no $lang catalogue in $LIKENESS_LOCALEDIR; the translation is not checked"
  wait_for "the preferences window" window_named "Preferences"
else
  wait_for "the preferences window" window_named "Preferences"
fi
shot_changed preferences faces-again

# Back to the start page, which now lists the project, and open it again
# from there by path.
activate "$window_path" close-project '[]'
wait_for "the start page" window_named "Likeness"
shot_changed recent preferences
activate "$object_path" open-project-path "[<'$project.likeness'>]"
wait_for "the reopened project" window_named "Test Project"

# A folder that is no project: an error dialog, and the project stays open.
mkdir -p "$work/Not a project"
activate "$object_path" open-project-path "[<'$work/Not a project'>]"
heading=$(TEXTDOMAINDIR=$LIKENESS_LOCALEDIR gettext -d likeness "Could Not Open the Project")
wait_for "the error dialog “$heading”" window_named "$heading"
shot_changed error recent
window_named "Test Project" || fail "the open project was closed by a failed open"

# The shortcuts window (gtk/help-overlay.ui) and the about window.
activate "$object_path" shortcuts '[]'
shot_changed shortcuts error
activate "$object_path" about '[]'
shot_changed about shortcuts

activate "$object_path" quit '[]'
status=0
wait "$studio_pid" || status=$?
[ "$status" -eq 0 ] || fail "the studio exited with status $status"

if grep -E -n '(CRITICAL|WARNING)' "$log" >&2; then
  fail "the studio logged warnings"
fi

echo "PASS: screenshots in $shots"
