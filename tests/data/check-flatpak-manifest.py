#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest: identity, runtime, a minimal sandbox, pinned
sources, and the app built from the source tree.

Usage: check-flatpak-manifest.py MANIFEST APP_ID
"""
import json
import re
import sys

SHA256 = re.compile(r'^[0-9a-f]{64}$')
COMMIT = re.compile(r'^[0-9a-f]{40}$')
FORBIDDEN_FS = re.compile(r'^--filesystem=(host|home|host-os|host-etc|/|~)(:(rw|ro|create))?$')
REQUIRED_ARGS = ['--share=ipc', '--socket=wayland', '--socket=fallback-x11', '--device=dri']

errors = []


def fail(msg):
    errors.append(msg)


def check_source(module, src):
    where = f'module {module!r}'
    if isinstance(src, str):
        fail(f'{where}: source {src!r} is a file reference; inline the sources so they can be checked')
        return
    kind = src.get('type')
    if kind == 'git':
        if not src.get('url'):
            fail(f'{where}: git source without url')
        if not src.get('tag'):
            fail(f'{where}: git source {src.get("url")} has no tag')
        if not COMMIT.match(src.get('commit', '')):
            fail(f'{where}: git source {src.get("url")} has no 40-hex commit')
        if 'branch' in src:
            fail(f'{where}: git source {src.get("url")} follows a branch')
    elif kind in ('archive', 'file'):
        if not (src.get('url') or src.get('path')):
            fail(f'{where}: {kind} source without url or path')
        if src.get('url'):
            if not src['url'].startswith('https://'):
                fail(f'{where}: {src["url"]} is not fetched over https')
            if not SHA256.match(src.get('sha256', '')):
                fail(f'{where}: {src["url"]} is not pinned by sha256')
    elif kind == 'dir':
        if not src.get('path'):
            fail(f'{where}: dir source without path')
    elif kind in ('shell', 'patch', 'script', 'inline'):
        if kind == 'patch' and src.get('url') and not SHA256.match(src.get('sha256', '')):
            fail(f'{where}: patch {src["url"]} is not pinned by sha256')
    else:
        fail(f'{where}: unknown or unpinnable source type {kind!r}')


def walk_modules(modules, out):
    for m in modules:
        if isinstance(m, str):
            fail(f'module {m!r} is a file reference; inline it so it can be checked')
            continue
        out.append(m)
        walk_modules(m.get('modules', []), out)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    path, app_id = sys.argv[1], sys.argv[2]
    with open(path, encoding='utf-8') as f:
        try:
            manifest = json.load(f)
        except json.JSONDecodeError as e:
            print(f'{path}: not valid JSON: {e}')
            return 1

    got_id = manifest.get('app-id') or manifest.get('id')
    if got_id != app_id:
        fail(f'app-id is {got_id!r}, expected {app_id!r}')
    if manifest.get('runtime') != 'org.gnome.Platform':
        fail(f'runtime is {manifest.get("runtime")!r}, expected org.gnome.Platform')
    if not re.match(r'^\d+(\.\d+)?$', str(manifest.get('runtime-version', ''))):
        fail(f'runtime-version {manifest.get("runtime-version")!r} is not a release number')
    if manifest.get('sdk') != 'org.gnome.Sdk':
        fail(f'sdk is {manifest.get("sdk")!r}, expected org.gnome.Sdk')
    if manifest.get('command') != 'likeness':
        fail(f'command is {manifest.get("command")!r}, expected likeness')

    args = manifest.get('finish-args', [])
    for a in args:
        if FORBIDDEN_FS.match(a):
            fail(f'finish-args has {a}: files come through the file chooser portal')
        if a.startswith('--filesystem=') and not a.startswith('--filesystem=xdg-run/'):
            fail(f'finish-args has {a}: no host filesystem access')
        if a in ('--socket=x11', '--socket=session-bus', '--socket=system-bus', '--device=all',
                 '--talk-name=org.freedesktop.Flatpak'):
            fail(f'finish-args has {a}, which the studio does not need')
    for a in REQUIRED_ARGS:
        if a not in args:
            fail(f'finish-args lacks {a}')

    modules = []
    walk_modules(manifest.get('modules', []), modules)
    if not modules:
        fail('no modules')
    for m in modules:
        name = m.get('name', '?')
        if not m.get('sources'):
            fail(f'module {name!r} has no sources')
        for src in m.get('sources', []):
            check_source(name, src)

    app = modules[-1] if modules else {}
    if app.get('name') != 'likeness':
        fail(f'the last module is {app.get("name")!r}; the app module "likeness" must come last')
    if app.get('buildsystem') != 'meson':
        fail('the app module does not build with meson')
    if not any(isinstance(s, dict) and s.get('type') == 'dir' and s.get('path') == '..'
               for s in app.get('sources', [])):
        fail('the app module does not build from the source tree (type dir, path ..)')

    for e in errors:
        print(e)
    print(f'{path}: {len(modules)} modules, {len(args)} finish-args, {len(errors)} problems')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
