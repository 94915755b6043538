"""A real OpenLDAP slapd for the directory tests: started as the current user from a temp dir
on a free loopback port, with the mdb backend, the standard schemas, tests/ldap/ad.schema for
the Active Directory attributes and the memberof overlay (memberOf) when it loads; filled with
tests/ldap/norrby.ldif. Changes go through ldapmodify, as an administrator would make them.

Standard library only; needs /usr/sbin/slapd and ldap-utils (scripts/deps.sh installs both).
"""
import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time

SLAPD = "/usr/sbin/slapd"
LDAP_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ldap")
BASE_DN = "dc=norrby,dc=example"
ADMIN_DN = "cn=admin," + BASE_DN
ADMIN_PASSWORD = "adminpass"
BIND_DN = "cn=svc-varn,ou=Users," + BASE_DN
BIND_PASSWORD = "svcpass"


def available():
    """None when slapd can run here, else why not."""
    if not os.access(SLAPD, os.X_OK):
        return "no %s (scripts/deps.sh installs slapd)" % SLAPD
    for tool in ("ldapadd", "ldapmodify"):
        if not shutil.which(tool):
            return "no %s (scripts/deps.sh installs ldap-utils)" % tool
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Slapd:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="varn-slapd-")
        self.port = free_port()
        self.uri = "ldap://127.0.0.1:%d" % self.port
        self.proc = None
        self.memberof = False
        self.log = None
        atexit.register(self.close)  # never leave a slapd behind, even when a test dies

    def _conf(self, memberof):
        with open(os.path.join(LDAP_DIR, "slapd.conf.in"), encoding="utf-8") as f:
            text = f.read()
        text = (text.replace("@DIR@", self.dir)
                .replace("@SCHEMA@", os.path.join(LDAP_DIR, "ad.schema"))
                .replace("@MEMBEROF_MODULE@", "moduleload memberof" if memberof else "")
                .replace("@MEMBEROF_OVERLAY@", "overlay memberof" if memberof else ""))
        path = os.path.join(self.dir, "slapd.conf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def _try_start(self, memberof):
        shutil.rmtree(os.path.join(self.dir, "data"), ignore_errors=True)
        os.makedirs(os.path.join(self.dir, "data"))
        conf = self._conf(memberof)
        # -d keeps slapd in the foreground, so that this process owns it and can stop it.
        self.log = open(os.path.join(self.dir, "slapd.log"), "wb")
        self.proc = subprocess.Popen([SLAPD, "-f", conf, "-h", self.uri + "/", "-d", "0"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.1)
        self.stop()
        return False

    def start(self):
        for memberof in (True, False):
            if self._try_start(memberof):
                self.memberof = memberof
                break
        else:
            with open(os.path.join(self.dir, "slapd.log"), encoding="utf-8", errors="replace") as f:
                raise RuntimeError("slapd did not start: " + f.read()[-2000:])
        with open(os.path.join(LDAP_DIR, "norrby.ldif"), encoding="utf-8") as f:
            self.ldapmodify(f.read(), add=True)
        return self

    def ldapmodify(self, ldif, add=False, timeout=30):
        args = ["ldapmodify", "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD]
        if add:
            args.append("-a")
        r = subprocess.run(args, input=ldif.encode(), capture_output=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError("ldapmodify failed: %s %s" % (r.stdout.decode(), r.stderr.decode()))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
