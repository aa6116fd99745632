"""A real IMAP server for tests: Debian's dovecot (scripts/install-system-packages.sh), started with
a generated configuration in a temporary folder, listening on 127.0.0.1 without TLS.

It runs as the current user, root or not: mail is stored as an unprivileged user (dovecot refuses
to store mail as root), and nothing outside the folder is read or written. One server serves a
test module (`dovecot`); each test gets a user of its own with empty mailboxes (`imap_server`).
Import both fixtures into a test module by name.
"""

import grp
import imaplib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap-test-password-0123"
# What dovecot 2.3 offers after login, less MOVE.
CAPABILITIES_WITHOUT_MOVE = (
    "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE UIDPLUS CHILDREN"
)
# dovecot starts in well under a second; a slow shared machine gets ample margin.
START_TIMEOUT_S = 20.0

CONFIG = """\
instance_name = minsheng-test-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once; the tests try one on purpose.
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = {mail_uid}
last_valid_uid = 0
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
}}
# Any user name with the password: each test logs in as a user of its own.
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    log: Path

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def append(self, source: bytes, mailbox: str = "INBOX") -> None:
        """Deliver a mail, as the platform's sender would."""
        imap = self.connect()
        try:
            typ, data = imap.append(mailbox, None, None, source)
            assert typ == "OK", f"the IMAP server did not take the mail: {typ} {data}"
        finally:
            imap.logout()

    def count(self, mailbox: str) -> int | None:
        """How many mails `mailbox` (an ASCII or already-encoded name) holds; None if it does not
        exist."""
        imap = self.connect()
        try:
            typ, data = imap.select(mailbox, readonly=True)
            return int(data[0] or b"") if typ == "OK" else None
        finally:
            imap.logout()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], root: Path) -> None:
    give_up = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > give_up:
            process.kill()
            process.wait()
            said = "\n".join(
                path.read_text(errors="replace")
                for path in (root / "dovecot.out", root / "dovecot.log")
                if path.exists()
            )
            pytest.fail(f"dovecot did not start listening on 127.0.0.1:{port}:\n{said}")
        time.sleep(0.05)


@dataclass(frozen=True)
class Dovecot:
    port: int
    log: Path
    _numbers: Iterator[int] = field(default_factory=itertools.count)

    def new_user(self) -> ImapServer:
        """A user no test used before, so with empty mailboxes."""
        user = f"hotline{next(self._numbers)}"
        return ImapServer(host="127.0.0.1", port=self.port, user=user, password=PASSWORD, log=self.log)


@pytest.fixture
def imap_server(dovecot: Dovecot) -> ImapServer:
    return dovecot.new_user()


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with _serving() as server:
        yield server


@pytest.fixture(scope="module")
def dovecot_without_move() -> Iterator[Dovecot]:
    """A server that does not offer MOVE (RFC 6851), as older ones do not."""
    with _serving(f"imap_capability = {CAPABILITIES_WITHOUT_MOVE}\n") as server:
        yield server


@contextmanager
def _serving(settings: str = "") -> Iterator[Dovecot]:
    if not os.access(DOVECOT, os.X_OK):
        pytest.fail("dovecot is not installed: run scripts/install-system-packages.sh (dovecot-imapd)")
    # Not under pytest's tmp_path, which only its owner may enter: dovecot's unprivileged processes
    # must reach the configuration and the mail.
    root = Path(tempfile.mkdtemp(prefix="minsheng-dovecot-"))
    root.chmod(0o755)
    try:
        yield from _run(root, settings)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run(root: Path, settings: str) -> Iterator[Dovecot]:
    port = _free_port()
    me = pwd.getpwuid(os.getuid())
    # As root, mail is stored as nobody (dovecot refuses uid 0) and dovecot's own processes run as
    # the users Debian's package made for them; as anyone else, all of it is that user.
    root_user = me.pw_uid == 0
    mail = pwd.getpwnam("nobody") if root_user else me
    login = pwd.getpwnam("dovenull") if root_user else me
    internal = pwd.getpwnam("dovecot") if root_user else me
    for folder in ("mail", "home"):
        (root / folder).mkdir()
        os.chown(root / folder, mail.pw_uid, mail.pw_gid)
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=root,
            port=port,
            password=PASSWORD,
            login_user=login.pw_name,
            internal_user=internal.pw_name,
            internal_group=grp.getgrgid(internal.pw_gid).gr_name,
            mail_uid=mail.pw_uid,
            mail_gid=mail.pw_gid,
        )
        + settings,
        encoding="utf-8",
    )
    log = root / "dovecot.log"
    # What dovecot says before its log is open (a configuration error) goes to this file.
    with (root / "dovecot.out").open("wb") as output:
        process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=output, stderr=output)
    try:
        _wait_for(port, process, root)
        yield Dovecot(port=port, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
