#!/usr/bin/env python3
"""The varn command line: help and usage errors, VARN_NOW, init, and the checks serve makes
before it listens (missing, foreign, behind or ahead of this binary)."""
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SOURCE_ROOT, Skip, Suite, check, contains, eq, file_sha, main,
                          run_varn, sql_rows, tempdir)

suite = Suite()
test = suite.test

APPLICATION_ID = 0x5661726E


def new_db(name="varn.db"):
    return os.path.join(tempdir(), name)


def init_db():
    db = new_db()
    r = run_varn("init", db=db)
    eq(r.returncode, 0, "varn init exit code (%s)" % r.stderr)
    return db


def usage_error(r, *names):
    """Exit 2 and a message on stderr that names each of names."""
    eq(r.returncode, 2, "exit code (stderr %r)" % r.stderr)
    for n in names:
        contains(r.stderr, n, "stderr")


def failure(r, *words):
    """Exit 1 and a message on stderr containing each of words."""
    eq(r.returncode, 1, "exit code (stdout %r, stderr %r)" % (r.stdout, r.stderr))
    for w in words:
        contains(r.stderr, w, "stderr")


def listed_commands():
    """The command names in the 'commands:' section of varn --help."""
    try:
        out = run_varn("--help").stdout
    except OSError:
        return []
    section = out.partition("\ncommands:\n")[2].partition("\n\n")[0]
    return [line.split()[0] for line in section.splitlines() if line.strip()]


# ---- help and usage errors ----

@test("varn --help exits 0 and lists init, serve, backup, restore")
def _():
    r = run_varn("--help")
    eq(r.returncode, 0, "exit code")
    check({"init", "serve", "backup", "restore"} <= set(listed_commands()),
          "commands listed: %s" % listed_commands())


@test("varn --version prints 'varn X.Y.Z', the project's version")
def _():
    r = run_varn("--version")
    eq(r.returncode, 0, "exit code")
    m = re.fullmatch(r"varn (\d+\.\d+\.\d+)\n", r.stdout)
    check(m, "output %r" % r.stdout)
    with open(os.path.join(SOURCE_ROOT, "meson.build"), encoding="utf-8") as f:
        declared = re.search(r"version:\s*'([^']+)'", f.read()).group(1)
    eq(m.group(1), declared, "version against meson.build")


@test("varn help serve and varn serve --help print the same usage")
def _():
    a = run_varn("help", "serve")
    b = run_varn("serve", "--help")
    eq((a.returncode, b.returncode), (0, 0), "exit codes")
    check(a.stdout.startswith("usage: varn serve"), "varn help serve: %r" % a.stdout[:200])
    contains(a.stdout, "--listen", "varn help serve")
    eq(b.stdout, a.stdout, "varn serve --help")


@test("varn with no command exits 2 and shows the overview on stderr")
def _():
    r = run_varn()
    usage_error(r, "commands:")
    eq(r.stdout, "", "stdout")


@test("varn frobnicate exits 2 naming 'frobnicate'")
def _():
    usage_error(run_varn("frobnicate"), "'frobnicate'")


@test("varn --bogus exits 2 naming the option")
def _():
    usage_error(run_varn("--bogus"), "--bogus")


@test("varn serve --listen nonsense exits 2 naming the value, without listening")
def _():
    db = init_db()
    usage_error(run_varn("serve", "--listen", "nonsense", db=db, timeout=10), "nonsense")


@test("varn backup without FILE exits 2")
def _():
    db = init_db()
    r = run_varn("backup", db=db)
    usage_error(r, "FILE")
    eq(os.listdir(os.path.dirname(db)), ["varn.db"], "files beside the database")


@test("varn init with an extra argument exits 2 and creates nothing")
def _():
    db = new_db()
    usage_error(run_varn("init", "extra", db=db), "'extra'")
    check(not os.path.exists(db), "the database was created")


# ---- VARN_NOW ----

for _bad in ["2026-13-01", "yesterday", "2026-11-22T10:00", "2026-02-29"]:
    def _case(bad=_bad):
        db = new_db()
        r = run_varn("init", db=db, env={"VARN_NOW": bad})
        usage_error(r, "VARN_NOW", bad)
        check(not os.path.exists(db), "init ran despite a bad VARN_NOW")
    suite.add("VARN_NOW=%s is refused with exit 2" % _bad, _case)


@test("VARN_NOW=2026-11-22T08:00:00Z is the applied_at init records")
def _():
    db = new_db()
    r = run_varn("init", db=db, env={"VARN_NOW": "2026-11-22T08:00:00Z"})
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    eq({a for (a,) in sql_rows(db, "SELECT applied_at FROM schema_migrations")},
       {"2026-11-22T08:00:00Z"}, "applied_at")


@test("VARN_NOW with an offset is recorded in UTC")
def _():
    db = new_db()
    r = run_varn("init", db=db, env={"VARN_NOW": "2026-11-22T10:00:00+02:00"})
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    eq({a for (a,) in sql_rows(db, "SELECT applied_at FROM schema_migrations")},
       {"2026-11-22T08:00:00Z"}, "applied_at")


# ---- init ----

@test("varn init creates the database, then finds it up to date")
def _():
    db = new_db()
    r = run_varn("init", db=db)
    eq(r.returncode, 0, "first exit code (%s)" % r.stderr)
    contains(r.stdout, "Created", "first run")
    check(os.path.exists(db), "no database file")
    rows = sql_rows(db, "SELECT version, applied_at FROM schema_migrations")
    r = run_varn("init", db=db)
    eq(r.returncode, 0, "second exit code (%s)" % r.stderr)
    contains(r.stdout, "up to date", "second run")
    eq(sql_rows(db, "SELECT version, applied_at FROM schema_migrations"), rows,
       "migration history after the second run")


@test("the database has application_id 0x5661726E and journal_mode wal")
def _():
    db = init_db()
    eq(sql_rows(db, "PRAGMA application_id")[0][0], APPLICATION_ID, "application_id")
    eq(sql_rows(db, "PRAGMA journal_mode")[0][0], "wal", "journal_mode")


# ---- what serve refuses ----

@test("serve refuses a database with a pending migration, pointing at varn init")
def _():
    db = init_db()
    con = sqlite3.connect(db)
    con.execute("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
    con.commit()
    con.close()
    failure(run_varn("serve", "--listen", "127.0.0.1:0", db=db, timeout=15), "varn init")


@test("serve refuses a database newer than the binary")
def _():
    db = init_db()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (999, '0999_future.sql', '2030-01-01T00:00:00Z')")
    con.commit()
    con.close()
    failure(run_varn("serve", "--listen", "127.0.0.1:0", db=db, timeout=15), "newer")


@test("init refuses a database newer than the binary and leaves it alone")
def _():
    db = init_db()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO schema_migrations VALUES (999, '0999_future.sql', '2030-01-01T00:00:00Z')")
    con.commit()
    con.close()
    before = sql_rows(db, "SELECT * FROM schema_migrations ORDER BY version")
    failure(run_varn("init", db=db), "newer")
    eq(sql_rows(db, "SELECT * FROM schema_migrations ORDER BY version"), before, "history")


@test("serve on a path that does not exist exits 1 telling to run 'varn init'")
def _():
    db = new_db("missing.db")
    failure(run_varn("serve", "--listen", "127.0.0.1:0", db=db, timeout=15), "varn init")
    check(not os.path.exists(db), "serve created the database")


def foreign_db():
    db = new_db("other.db")
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO customer (name) VALUES ('Ada')")
    con.commit()
    con.close()
    return db


@test("init refuses a SQLite file that is not Värn's and leaves it unchanged")
def _():
    db = foreign_db()
    sha = file_sha(db)
    failure(run_varn("init", db=db), "not a Värn database")
    eq(file_sha(db), sha, "the file's bytes")


@test("serve refuses a SQLite file that is not Värn's")
def _():
    db = foreign_db()
    sha = file_sha(db)
    failure(run_varn("serve", "--listen", "127.0.0.1:0", db=db, timeout=15), "not a Värn database")
    eq(file_sha(db), sha, "the file's bytes")


@test("init refuses a file that is not SQLite at all and leaves it unchanged")
def _():
    path = new_db("notes.txt")
    with open(path, "w") as f:
        f.write("shopping list\n" * 100)
    sha = file_sha(path)
    failure(run_varn("init", db=path), "notes.txt")
    eq(file_sha(path), sha, "the file's bytes")


# ---- the manual matches the binary ----

DOCS = os.path.join(SOURCE_ROOT, "docs", "cli.md")

for _cmd in listed_commands() or ["(varn --help lists no commands)"]:
    def _case(cmd=_cmd):
        check(not cmd.startswith("("), "varn --help lists no commands")
        r = run_varn(cmd, "--help")
        eq(r.returncode, 0, "varn %s --help exit code" % cmd)
        first = r.stdout.splitlines()[0] if r.stdout else ""
        check(first.startswith("usage: "), "first line %r" % first)
        if not os.path.exists(DOCS):
            raise Skip("docs/cli.md missing")
        with open(DOCS, encoding="utf-8") as f:
            contains(f.read(), first[len("usage: "):], "docs/cli.md")
    suite.add("docs/cli.md shows the usage of varn %s verbatim" % _cmd, _case)


if __name__ == "__main__":
    main(suite)
