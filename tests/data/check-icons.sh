#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The app icons are well-formed SVG with the sizes the icon theme expects:
# the full-colour one on a 128x128 canvas, the symbolic one 16x16 and drawn
# in a single colour. When rsvg-convert is present, each one also renders.
# Usage: check-icons.sh SCALABLE_SVG SYMBOLIC_SVG
set -u
full=${1:?usage: check-icons.sh SCALABLE_SVG SYMBOLIC_SVG}
symbolic=${2:?usage: check-icons.sh SCALABLE_SVG SYMBOLIC_SVG}
command -v xmllint >/dev/null 2>&1 || { echo "xmllint not found (libxml2-utils)"; exit 77; }
status=0

for svg in "$full" "$symbolic"; do
  if ! xmllint --noout "$svg"; then
    echo "$svg is not well-formed XML"
    status=1
    continue
  fi
  root=$(xmllint --xpath 'local-name(/*)' "$svg")
  ns=$(xmllint --xpath 'namespace-uri(/*)' "$svg")
  if [ "$root" != svg ] || [ "$ns" != http://www.w3.org/2000/svg ]; then
    echo "$svg: root element is {$ns}$root, not an SVG document"
    status=1
  fi
  if grep -q '<text' "$svg"; then
    echo "$svg: app icons must not contain text"
    status=1
  fi
done

size() { xmllint --xpath "string(/*/@$2)" "$1"; }
[ "$(size "$full" width)x$(size "$full" height)" = 128x128 ] ||
  { echo "$full: canvas is not 128x128"; status=1; }
[ "$(size "$symbolic" width)x$(size "$symbolic" height)" = 16x16 ] ||
  { echo "$symbolic: canvas is not 16x16"; status=1; }

colours=$(grep -Eo '(fill|stroke|stop-color)="#[0-9A-Fa-f]{3,6}"' "$symbolic" | sed 's/.*="//; s/"$//' | tr 'A-F' 'a-f' | sort -u)
ncolours=$(printf '%s\n' "$colours" | grep -c .)
if [ "$ncolours" -ne 1 ]; then
  echo "$symbolic: a symbolic icon is drawn in one colour; found: $(echo $colours)"
  status=1
fi
if grep -Eq '<(mask|clipPath|use|image|filter)[ >]|stroke=' "$symbolic"; then
  echo "$symbolic: symbolic icons are recoloured by the toolkit: use plain filled paths only"
  status=1
fi
case $(basename "$symbolic") in
  *-symbolic.svg) ;;
  *) echo "$symbolic: the name must end in -symbolic.svg"; status=1 ;;
esac

if command -v rsvg-convert >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for svg in "$full" "$symbolic"; do
    if ! rsvg-convert -w 64 -h 64 -o "$tmp/icon.png" "$svg" || [ ! -s "$tmp/icon.png" ]; then
      echo "$svg does not render"
      status=1
    fi
  done
fi
exit $status
