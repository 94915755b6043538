#!/usr/bin/env python3
"""Builds the web UI (web/, Svelte + Vite) and embeds it into the varn binary.

  build_web.py list           the UI's source files, one per line, relative to the source root:
                              Meson reads this at configure time, and rebuilds when one changes
  build_web.py build OUT.c NPM
                              run `npm run build` in web/ (output in web/dist), check that the
                              output has no inline script or style (the server's CSP forbids
                              them), then embed every file of web/dist into OUT.c (embed.py web)
"""
import fcntl
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEB = os.path.join(ROOT, "web")
DIST = os.path.join(WEB, "dist")

# What the build reads: the configuration, the entry page, the sources, the public files.
CONFIG = ["index.html", "package.json", "package-lock.json", "svelte.config.js",
          "tsconfig.json", "vite.config.ts"]
TREES = ["src", "public"]


def sources():
    found = [os.path.join("web", name) for name in CONFIG]
    for tree in TREES:
        for dirpath, dirnames, filenames in os.walk(os.path.join(WEB, tree)):
            dirnames.sort()
            for name in sorted(filenames):
                found.append(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return found


def check_no_inline(path):
    """The CSP allows scripts and styles only from files: refuse output that inlines either."""
    html = open(path, encoding="utf-8").read()
    for m in re.finditer(r"<script\b[^>]*>", html, re.I):
        if not re.search(r"\bsrc=", m.group(0), re.I):
            sys.exit("build_web.py: %s has an inline <script>" % path)
    if re.search(r"<style\b", html, re.I):
        sys.exit("build_web.py: %s has an inline <style>" % path)
    if re.search(r"\sstyle=", html, re.I):
        sys.exit("build_web.py: %s has a style attribute" % path)
    if re.search(r"""(src|href)=["']data:""", html, re.I):
        sys.exit("build_web.py: %s inlines an asset as a data: URL" % path)


def build(out, npm):
    if not os.path.exists(os.path.join(WEB, "node_modules", ".bin", "vite")):
        sys.exit("build_web.py: the UI's npm packages are missing; run 'make deps' "
                 "(npm ci in web/)")
    # Several build directories (build, build-test, build-asan) share web/dist: one at a time.
    with open(os.path.join(WEB, "node_modules", ".varn-build.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        run = subprocess.run([npm, "run", "--silent", "build"], cwd=WEB,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if run.returncode != 0:
            sys.stderr.write(run.stdout)
            sys.exit("build_web.py: npm run build failed (exit %d)" % run.returncode)
        for dirpath, _, filenames in os.walk(DIST):
            for name in filenames:
                if name.endswith(".html"):
                    check_no_inline(os.path.join(dirpath, name))
        embed = os.path.join(ROOT, "scripts", "embed.py")
        subprocess.run([sys.executable, embed, "web", out, DIST], check=True)


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "list":
        print("\n".join(sources()))
    elif len(sys.argv) == 4 and sys.argv[1] == "build":
        build(os.path.abspath(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
