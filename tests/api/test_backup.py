#!/usr/bin/env python3
"""varn backup while the server writes (a consistent snapshot), and varn restore: into a new
file, into the live database under a running server, and every kind of file it must refuse
without touching the live database."""
import json
import os
import shutil
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from varn_harness import (SLOW, Server, Suite, check, contains, db_digest, eq, file_sha,
                          integrity, main, run_varn, sql_rows, tempdir)

suite = Suite()
test = suite.test

NOTES = "/api/v1/test-notes"
_state = {}


def srv():
    if "server" not in _state:
        try:
            _state["server"] = Server().start()
        except Exception as e:
            _state["server"] = e
    if isinstance(_state["server"], Exception):
        raise AssertionError("the server did not start: %s" % _state["server"])
    return _state["server"]


def notes(path):
    """{id: title} of the notes in a database file."""
    return dict(sql_rows(path, "SELECT id, title FROM test_note"))


def api_count():
    st, h, b = srv().json("GET", NOTES)
    eq(st, 200, "GET %s" % NOTES)
    return b["count"]


def post(title):
    st, h, b = srv().json("POST", NOTES, {"title": title})
    eq(st, 201, "POST %s %r" % (NOTES, title))
    return b["id"]


# ---- a backup taken while a writer keeps committing ----

def scenario():
    """Writes for ~1 s, then varn backup while the writes go on. Run once; tests read it."""
    if "backup" in _state:
        return _state
    s = srv()
    out = os.path.join(tempdir(), "backup.db")
    stop = threading.Event()
    acks = []      # (id, title, sent, acknowledged), monotonic times
    refused = []   # anything but a 201

    def writer():
        n = 0
        while not stop.is_set():
            n += 1
            title = "writer %d note %d" % (os.getpid(), n)
            sent = time.monotonic()
            try:
                st, h, b = s.request("POST", NOTES, {"title": title})
            except Exception as e:  # reported by the test on refused writes
                refused.append(repr(e))
                continue
            if st == 201:
                acks.append((json.loads(b)["id"], title, sent, time.monotonic()))
            else:
                refused.append((st, b[:200]))

    th = threading.Thread(target=writer, daemon=True)
    th.start()
    time.sleep(1.0)
    t0 = time.monotonic()
    result = run_varn("backup", out, db=s.db)
    t1 = time.monotonic()
    time.sleep(0.3)
    stop.set()
    th.join(30 * SLOW)
    check(not th.is_alive(), "the writer thread did not stop")
    _state.update(backup=result, out=out, acks=acks, refused=refused, t0=t0, t1=t1)
    return _state


def backup_file():
    st = scenario()
    eq(st["backup"].returncode, 0, "varn backup exit code (%s)" % st["backup"].stderr)
    return st["out"]


@test("varn backup exits 0 while the server is writing")
def _():
    st = scenario()
    r = st["backup"]
    eq(r.returncode, 0, "exit code (stderr %r)" % r.stderr)
    contains(r.stdout, "Backed up", "stdout")
    check(os.path.exists(st["out"]), "no backup file")


@test("writes kept succeeding during the backup")
def _():
    st = scenario()
    eq(st["refused"][:5], [], "writes that did not get 201")
    during = [a for a in st["acks"] if a[2] < st["t1"] and a[3] > st["t0"]]
    check(during, "no write overlapped the backup (%.3f s); the test proves nothing" % (st["t1"] - st["t0"]))
    print("# %d writes, %d overlapping the %.3f s backup" % (len(st["acks"]), len(during), st["t1"] - st["t0"]))


@test("the backup passes integrity_check and is one self-contained Värn file")
def _():
    out = backup_file()
    eq(integrity(out), "ok", "integrity_check")
    eq(sql_rows(out, "PRAGMA application_id")[0][0], 0x5661726E, "application_id")
    eq(sql_rows(out, "PRAGMA journal_mode")[0][0], "delete", "journal_mode")
    eq(sorted(os.listdir(os.path.dirname(out))), ["backup.db"], "files beside the backup")


@test("every note acknowledged before the backup started is in it")
def _():
    st = scenario()
    got = notes(backup_file())
    before = [(i, t) for i, t, sent, ack in st["acks"] if ack < st["t0"]]
    check(len(before) > 10, "only %d notes were written before the backup" % len(before))
    missing = [(i, t) for i, t in before if got.get(i) != t]
    eq(missing[:5], [], "acknowledged notes missing from the backup (first 5 of %d)" % len(missing))


@test("the backup is a consistent snapshot: ids 1..max without gaps")
def _():
    ids = sorted(notes(backup_file()))
    check(ids, "the backup has no notes")
    eq(ids, list(range(1, ids[-1] + 1)), "ids")


@test("every note in the backup was acknowledged, and none sent after it finished")
def _():
    st = scenario()
    got = notes(backup_file())
    acked = {i: t for i, t, sent, ack in st["acks"]}
    unknown = [i for i in got if acked.get(i) != got[i]]
    eq(unknown[:5], [], "notes in the backup that no 201 acknowledged")
    late = [i for i, t, sent, ack in st["acks"] if sent > st["t1"] and i in got]
    eq(late[:5], [], "notes sent after the backup finished but found in it")
    check(any(sent > st["t1"] for i, t, sent, ack in st["acks"]), "no writes after the backup")


@test("varn backup to an existing file exits 1 and leaves it unchanged")
def _():
    out = backup_file()
    sha = file_sha(out)
    r = run_varn("backup", out, db=srv().db)
    eq(r.returncode, 1, "exit code (stderr %r)" % r.stderr)
    contains(r.stderr, "already exists", "stderr")
    eq(file_sha(out), sha, "the existing file")
    eq(sorted(os.listdir(os.path.dirname(out))), ["backup.db"], "files beside the backup")


# ---- restore ----

@test("varn restore into a new path recreates the backup's rows")
def _():
    out = backup_file()
    new = os.path.join(tempdir(), "restored.db")
    r = run_varn("restore", out, db=new)
    eq(r.returncode, 0, "exit code (stderr %r)" % r.stderr)
    contains(r.stdout, "Restored", "stdout")
    eq(integrity(new), "ok", "integrity_check")
    eq(db_digest(new), db_digest(out), "digest of the restored database")
    eq(sql_rows(new, "PRAGMA application_id")[0][0], 0x5661726E, "application_id")


def live_unchanged(make_file, *words):
    """Restoring the file make_file(dir) returns must fail with words in the message and
    leave the live database exactly as it was, with the server still answering."""
    s = srv()
    path = make_file(tempdir())
    count = api_count()
    before = s.db_digest()
    r = run_varn("restore", path, db=s.db)
    eq(r.returncode, 1, "exit code (stdout %r, stderr %r)" % (r.stdout, r.stderr))
    lowered = r.stderr.lower()
    check(any(w in lowered for w in words), "stderr %r names none of %s" % (r.stderr, words))
    eq(s.db_digest(), before, "live database digest")
    eq(api_count(), count, "notes counted by the server")


def text_file(d):
    path = os.path.join(d, "notes.txt")
    with open(path, "w") as f:
        f.write("not a database\n" * 200)
    return path


def truncated(d):
    path = os.path.join(d, "truncated.db")
    with open(backup_file(), "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])
    return path


def foreign(d):
    path = os.path.join(d, "foreign.db")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, total INTEGER)")
    con.execute("INSERT INTO invoice (total) VALUES (100)")
    con.commit()
    con.close()
    return path


def corrupted(d):
    """A Värn backup of several hundred notes with one page in the middle overwritten."""
    while api_count() < 600:
        post("padding %d %.6f" % (os.getpid(), time.monotonic()) + " x" * 80)
    clean = os.path.join(d, "clean.db")
    r = run_varn("backup", clean, db=srv().db)
    eq(r.returncode, 0, "backup for corruption (%s)" % r.stderr)
    with open(clean, "rb") as f:
        data = f.read()
    page = sql_rows(clean, "PRAGMA page_size")[0][0]
    pages = len(data) // page
    check(pages >= 10, "only %d pages; too small to corrupt in the middle" % pages)
    path = os.path.join(d, "corrupted.db")
    # Start in the middle and move on until SQLite itself calls the result corrupt, so that
    # the refusal below cannot come from a page the check happens not to read.
    for n in sorted(range(2, pages), key=lambda n: abs(n - pages // 2)):
        b = bytearray(data)
        for i in range(n * page, n * page + 64):
            b[i] ^= 0xFF
        with open(path, "wb") as f:
            f.write(b)
        if integrity(path) != "ok":
            return path
    raise AssertionError("no page could be corrupted so that integrity_check notices")


def future(d):
    path = os.path.join(d, "future.db")
    shutil.copy(backup_file(), path)
    con = sqlite3.connect(path)
    con.execute("INSERT INTO schema_migrations (version, name, applied_at) "
                "VALUES (999, '0999_future.sql', '2030-01-01T00:00:00Z')")
    con.commit()
    con.close()
    check(integrity(path) == "ok", "the future backup is itself damaged")
    return path


def tampered(d):
    """A sound database whose audit log was edited: integrity_check cannot see it."""
    path = os.path.join(d, "tampered.db")
    shutil.copy(backup_file(), path)
    con = sqlite3.connect(path)
    changed = con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").rowcount
    con.commit()
    con.close()
    eq(changed, 1, "audit entries edited")
    check(integrity(path) == "ok", "the tampered backup is itself damaged")
    return path


REFUSED = [
    ("a text file", text_file, ["not a sqlite file", "not a värn database"]),
    ("the first half of a backup", truncated, ["malformed", "integrity"]),
    ("a SQLite file that is not Värn's", foreign, ["not a värn database"]),
    ("a backup with a corrupted page", corrupted, ["integrity check failed", "malformed"]),
    ("a backup with schema version 999", future, ["newer"]),
    ("a backup whose audit log was edited", tampered, ["audit log", "entry 1"]),
    ("a file that does not exist", lambda d: os.path.join(d, "nothing.db"), ["cannot read"]),
]

for _name, _make, _words in REFUSED:
    suite.add("restore refuses %s and the live database is unchanged" % _name,
              lambda make=_make, words=_words: live_unchanged(make, *words))


@test("restore into the live database: the running server sees the restored data")
def _():
    out = backup_file()
    in_backup = notes(out)
    post("after the backup %d" % os.getpid())
    live_before = api_count()
    check(live_before > len(in_backup), "the live database has no notes beyond the backup")
    r = run_varn("restore", out, db=srv().db)
    eq(r.returncode, 0, "exit code (stderr %r)" % r.stderr)
    eq(api_count(), len(in_backup), "notes counted by the server")
    eq(db_digest(srv().db), db_digest(out), "live digest against the backup")
    top = max(in_backup)
    st, h, b = srv().json("GET", "%s/%d" % (NOTES, top))
    eq((st, b.get("title")), (200, in_backup[top]), "the backup's last note")
    st, h, b = srv().request("GET", "%s/%d" % (NOTES, live_before))
    eq(st, 404, "a note written after the backup")
    eq(post("after the restore %d" % os.getpid()), top + 1, "id of the next note")


@test("the server stops cleanly after all of this")
def _():
    eq(srv().stop(), 0, "exit code")


if __name__ == "__main__":
    main(suite)
