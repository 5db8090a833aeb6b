#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# No circle among the studio's files: a module (lk-foo.c with lk-foo.h)
# depends on another when it includes that one's header (which it must, to
# call it). The window knows its pages; pages tell the window things through
# its actions (lk-notify.h), never by calling it. Prints each circle found.
#
#   check-app-cycles.py APP_DIR

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"(lk-[a-z0-9-]+)(?:-private)?\.h"', re.M)


def main():
    app = sys.argv[1]
    modules = {os.path.splitext(f)[0] for f in os.listdir(app)
               if f.startswith("lk-") and f.endswith((".c", ".h"))}
    graph = {m: set() for m in modules}
    for name in os.listdir(app):
        stem, ext = os.path.splitext(name)
        if stem not in modules or ext not in (".c", ".h"):
            continue
        with open(os.path.join(app, name), encoding="utf-8") as f:
            for dep in INCLUDE.findall(f.read()):
                if dep in modules and dep != stem:
                    graph[stem].add(dep)

    cycles = []
    state = {}
    stack = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m)

    for c in cycles:
        print("circle: " + " -> ".join(c))
    print(f"{len(modules)} modules of {app}, {sum(len(d) for d in graph.values())} "
          f"dependencies, {len(cycles)} circles")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
