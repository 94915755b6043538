#!/usr/bin/env python3
"""varn audit verify: an intact chain passes and prints its head; every kind of tampering with a
copy of the database (an edited field, a deleted, swapped or forged entry, a cut-off tail, a
rewritten chain, time going back) is caught with exit 1 and the number of the first bad entry;
usage errors exit 2."""
import hashlib
import json
import os
import re
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (Suite, check, contains, eq, file_sha, main, run_varn, sql_rows,
                          tempdir)

suite = Suite()
test = suite.test

GENESIS = "0" * 64
COLUMNS = ("seq", "at", "actor", "address", "action", "object_kind", "object_id",
           "organisation_id", "before", "after", "prev_hash", "hash")

_base = []


def base_db():
    """A database after init, demo and two tokens (about 50 entries), made once."""
    if not _base:
        db = os.path.join(tempdir(), "base.db")
        for args in (["init"], ["demo"], ["token", "create", "--org", "ITC", "--role", "ciso"],
                     ["token", "create", "--org", "NORRBY", "--role", "dpo"]):
            r = run_varn(*args, db=db, env={"VARN_DEMO_PASSWORD": "demo-password-123"})
            eq(r.returncode, 0, "varn %s (%s)" % (" ".join(args), r.stderr))
        _base.append(db)
    return _base[0]


def copy_db():
    """A copy of the base database to tamper with (the backup API also copies the WAL)."""
    dst = os.path.join(tempdir(), "copy.db")
    src = sqlite3.connect(base_db())
    out = sqlite3.connect(dst)
    src.backup(out)
    src.close()
    out.close()
    return dst


def entries(db):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM audit_log ORDER BY seq")]
    finally:
        con.close()


def entry_hash(e):
    """What src/audit/audit.c computes: SHA-256(prev_hash "\\n" canonical JSON)."""
    canon = json.dumps({k: e[k] for k in COLUMNS[:-2]}, sort_keys=True, separators=(",", ":"),
                       ensure_ascii=False)
    return hashlib.sha256((e["prev_hash"] + "\n" + canon).encode("utf-8")).hexdigest()


def write(db, sql, params=()):
    con = sqlite3.connect(db)
    try:
        con.execute(sql, params)
        con.commit()
    finally:
        con.close()


def replace_rows(db, rows):
    """Write rows (dicts) over the entries with their seq."""
    con = sqlite3.connect(db)
    try:
        for e in rows:
            con.execute("UPDATE audit_log SET %s WHERE seq = :seq" %
                        ", ".join("%s = :%s" % (c, c) for c in COLUMNS[1:]), e)
        con.commit()
    finally:
        con.close()


def rechain(rows, start):
    """Recompute prev_hash and hash from rows[start] on, as a forger holding the file would."""
    for i in range(start, len(rows)):
        rows[i]["prev_hash"] = rows[i - 1]["hash"] if i else GENESIS
        rows[i]["hash"] = entry_hash(rows[i])


def verify(db, *args):
    return run_varn("audit", "verify", *args, db=db)


def broken(r, message):
    eq(r.returncode, 1, "exit code (stdout %r, stderr %r)" % (r.stdout, r.stderr))
    contains(r.stderr, message, "the message")
    check("intact" not in r.stdout, "also claims the log is intact: %r" % r.stdout)


def head(db):
    return sql_rows(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")[0]


# ---- an intact chain ----

@test("after init, verify exits 0 and prints the five entries and the head seq and hash")
def _():
    db = os.path.join(tempdir(), "varn.db")
    eq(run_varn("init", db=db).returncode, 0, "init")
    r = verify(db)
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    seq, h = head(db)
    eq(r.stdout, "audit log intact: 5 entries, head 5 %s\n" % h, "output")
    # ITC and its administrator, the two built-in policy profiles, ITC under itcentrum
    eq(seq, 5, "entries written by init")


@test("after demo and tokens, verify counts every entry and names the head")
def _():
    db = base_db()
    r = verify(db)
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    seq, h = head(db)
    n = sql_rows(db, "SELECT count(*) FROM audit_log")[0][0]
    eq(r.stdout, "audit log intact: %d entries, head %d %s\n" % (n, seq, h), "output")
    check(n > 40, "only %d entries" % n)


@test("the chain's hashes recompute in Python exactly as the C code made them")
def _():
    rows = entries(base_db())
    prev = GENESIS
    for e in rows:
        eq(e["prev_hash"], prev, "prev_hash of entry %d" % e["seq"])
        eq(entry_hash(e), e["hash"], "hash of entry %d" % e["seq"])
        prev = e["hash"]


@test("verify only reads: the database file is unchanged")
def _():
    db = copy_db()
    before = file_sha(db)
    eq(verify(db).returncode, 0, "exit code")
    eq(file_sha(db), before, "the file's bytes")


@test("--head with the current head hash exits 0 and says which entry it is")
def _():
    db = base_db()
    seq, h = head(db)
    r = verify(db, "--head", h)
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    contains(r.stdout, "head %s is entry %d" % (h, seq), "output")


@test("--head with an earlier entry's hash exits 0: the chain extends it")
def _():
    db = base_db()
    h = sql_rows(db, "SELECT hash FROM audit_log WHERE seq = 10")[0][0]
    r = verify(db, "--head=" + h)
    eq(r.returncode, 0, "exit code (%s)" % r.stderr)
    contains(r.stdout, "is entry 10", "output")


# ---- tampering ----

@test("an edited field (actor of entry 5) is caught: 'entry 5 was altered'")
def _():
    db = copy_db()
    write(db, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 5")
    broken(verify(db), "entry 5 was altered: its hash does not match its contents")


@test("an edited JSON value (after of entry 15, a demo person) is caught as entry 15")
def _():
    db = copy_db()
    before = sql_rows(db, "SELECT after FROM audit_log WHERE seq = 15")[0][0]
    write(db, "UPDATE audit_log SET after = replace(after, '.example', '.exempel') WHERE seq = 15")
    check(sql_rows(db, "SELECT after FROM audit_log WHERE seq = 15")[0][0] != before,
          "the edit did not take: %r" % before)
    broken(verify(db), "entry 15 was altered")


@test("a byte flipped in a stored hash (entry 20) is caught as entry 20")
def _():
    db = copy_db()
    h = sql_rows(db, "SELECT hash FROM audit_log WHERE seq = 20")[0][0]
    flipped = ("1" if h[0] != "1" else "2") + h[1:]
    write(db, "UPDATE audit_log SET hash = ? WHERE seq = 20", (flipped,))
    broken(verify(db), "entry 20 was altered")


@test("an edited time (entry 7) is caught as entry 7")
def _():
    db = copy_db()
    write(db, "UPDATE audit_log SET at = '2001-01-01T00:00:00Z' WHERE seq = 7")
    broken(verify(db), "entry 7 was altered")


@test("a deleted middle entry (17) is caught: 'entry 17 is missing'")
def _():
    db = copy_db()
    write(db, "DELETE FROM audit_log WHERE seq = 17")
    broken(verify(db), "entry 17 is missing")


@test("a deleted first entry is caught: 'entry 1 is missing'")
def _():
    db = copy_db()
    write(db, "DELETE FROM audit_log WHERE seq = 1")
    broken(verify(db), "entry 1 is missing")


@test("a deleted last entry passes alone but is caught with --head of the earlier head")
def _():
    db = copy_db()
    seq, h = head(db)
    write(db, "DELETE FROM audit_log WHERE seq = ?", (seq,))
    r = verify(db)
    eq(r.returncode, 0, "a bare chain cannot see a cut tail (%s)" % r.stderr)
    contains(r.stdout, "head %d " % (seq - 1), "output")
    broken(verify(db, "--head", h), "the chain was cut short or rewritten since head %s" % h)


@test("two entries swapped (contents of 8 and 9) are caught: 'entry 8 does not follow entry 7'")
def _():
    db = copy_db()
    rows = {e["seq"]: e for e in entries(db)}
    a, b = dict(rows[9], seq=8), dict(rows[8], seq=9)
    replace_rows(db, [a, b])
    broken(verify(db), "entry 8 does not follow entry 7: the chain was reordered or an entry "
                       "inserted")


@test("a forged entry with a recomputed hash inserted after entry 15 is caught at entry 17")
def _():
    db = copy_db()
    rows = entries(db)
    con = sqlite3.connect(db)
    con.execute("UPDATE audit_log SET seq = -seq WHERE seq > 15")
    con.execute("UPDATE audit_log SET seq = 1 - seq WHERE seq < 0")
    forged = dict(rows[14], seq=16, actor="admin", action="person.delete", object_kind="person",
                  object_id="karin.lindqvist", before=None, after=None,
                  prev_hash=rows[14]["hash"])
    forged["hash"] = entry_hash(forged)
    con.execute("INSERT INTO audit_log (%s) VALUES (%s)" % (
        ", ".join(COLUMNS), ", ".join(":" + c for c in COLUMNS)), forged)
    con.commit()
    con.close()
    eq(sql_rows(db, "SELECT count(*) FROM audit_log")[0][0], len(rows) + 1, "rows")
    broken(verify(db), "entry 17 does not follow entry 16")


@test("a forged entry at seq 0, before the chain, is caught")
def _():
    db = copy_db()
    rows = entries(db)
    forged = dict(rows[0], seq=0, prev_hash=GENESIS)
    forged["hash"] = entry_hash(forged)
    write(db, "INSERT INTO audit_log (%s) VALUES (%s)" % (
        ", ".join(COLUMNS), ", ".join(":" + c for c in COLUMNS)), forged)
    broken(verify(db), "entry 0 is outside the chain")


@test("an edit with the rest of the chain recomputed passes alone but fails against --head")
def _():
    db = copy_db()
    rows = entries(db)
    seq, h = head(db)
    rows[29]["actor"] = "forger"
    rechain(rows, 29)
    replace_rows(db, rows[29:])
    eq(verify(db).returncode, 0, "a full rewrite is consistent in itself")
    broken(verify(db, "--head", h), "cut short or rewritten since head %s" % h)
    # A head noted before the edit point is still in the rewritten chain: it proves nothing
    # about what came later, and verify says so by naming the entry it found.
    early = rows[20]["hash"]
    r = verify(db, "--head", early)
    eq(r.returncode, 0, "exit code with an anchor before the rewrite")
    contains(r.stdout, "is entry 21", "output")


@test("time going back in a recomputed chain is caught: entry 25 dated before entry 24")
def _():
    db = copy_db()
    rows = entries(db)
    rows[24]["at"] = "2001-01-01T00:00:00Z"
    rechain(rows, 24)
    replace_rows(db, rows[24:])
    r = verify(db)
    broken(r, "entry 25 is dated 2001-01-01T00:00:00Z, before entry 24")


@test("--head with a well-formed hash that is not in the chain exits 1")
def _():
    r = verify(base_db(), "--head", "ab" * 32)
    broken(r, "the chain was cut short or rewritten since head " + "ab" * 32)


@test("a missing database exits 1 naming it")
def _():
    db = os.path.join(tempdir(), "none.db")
    r = verify(db)
    eq(r.returncode, 1, "exit code")
    contains(r.stderr, "none.db", "stderr")
    check(not os.path.exists(db), "verify created the database")


# ---- usage errors ----

for _args, _names in [
        ((), ["verify"]),
        (("check",), ["verify"]),
        (("verify", "extra"), ["'extra'"]),
        (("verify", "--head"), ["--head", "HASH"]),
        (("verify", "--head", "xyz"), ["'xyz'", "64"]),
        (("verify", "--head", "AB" * 32), ["64 lower-case hex"]),
        (("verify", "--head", "ab" * 32, "--head", "ab" * 32), ["only once"]),
]:
    def _case(args=_args, names=_names):
        r = run_varn("audit", *args, db=base_db())
        eq(r.returncode, 2, "exit code (stderr %r)" % r.stderr)
        for n in names:
            contains(r.stderr, n, "stderr")
        eq(r.stdout, "", "stdout")
    suite.add("varn audit %s exits 2" % " ".join(_args or ("(nothing)",)), _case)


@test("varn audit --help shows the usage line documented in docs/cli.md")
def _():
    r = run_varn("audit", "--help")
    eq(r.returncode, 0, "exit code")
    first = r.stdout.splitlines()[0]
    eq(first, "usage: varn audit verify [--head HASH]", "usage line")


if __name__ == "__main__":
    main(suite)
