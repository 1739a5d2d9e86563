"""Several duebot replicas on one PostgreSQL ledger: each delivery is sent exactly once.

Real parts throughout: the machine's PostgreSQL (a fresh database per test), real ``duebot``
processes (``python -m bot deliver --once``), and the aiosmtpd server on loopback taking 20 ms
per message, as a real relay does. Messages are counted at the server by their ``X-Duebot-Key``
header (the delivery key; the Message-ID derives from it).

The one documented window for a duplicate: a replica dies after the server's 250 (or after the
server took the message while the replica waited for that 250) and before the ledger recorded it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.adapters.store.database import HEAD, at_head
from bot.adapters.store.ledger import (
    Ledger,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from bot.config import (
    Config,
    DeliveryConfig,
    HttpConfig,
    ScheduleConfig,
    SmtpConfig,
    StorageConfig,
)
from bot.errors import StorageUnavailable
from bot.ports import Outcome, Outgoing, Planned
from bot.service import Service
from tests.counting_smtp import CountingSmtp, counting_smtp
from tests.pg import (
    AT_DUE,
    BEFORE_DUE,
    DUE,
    ROOT,
    WORKSHOP,
    Replica,
    block,
    dbname,
    deliver_once,
    fresh_database,
    query,
    require_pg,
    sqlalchemy_url,
    terminate,
    unblock,
    write_config,
)

SMTP_DELAY = 0.020  # seconds per message, as a real relay takes


@pytest.fixture
def pg_url() -> Iterator[str]:
    require_pg()
    with fresh_database() as url:
        yield url


@pytest.fixture
def slow_smtp() -> Iterator[CountingSmtp]:
    with counting_smtp(delay=SMTP_DELAY) as server:
        yield server


def keys_at(server: CountingSmtp) -> Counter[str]:
    return Counter(server.keys)


def states(url: str) -> dict[str, int]:
    return {str(state): int(n) for state, n in query(
        url, "SELECT state, count(*) FROM deliveries GROUP BY state")}


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


def plan(config: Path) -> None:
    """One reconcile before anything is due: every replica then finds the same pending rows."""
    replica = deliver_once(config, BEFORE_DUE, name="planner")
    assert replica.wait() == 0, replica.stderr
    assert "0 sent" in replica.stdout


def replica_url(url: str, name: str) -> str:
    """The database URL with ``application_name`` set, so a test can find the replica's
    backends in ``pg_stat_activity``."""
    return sqlalchemy_url(dbname(url), application_name=name)


def start_replicas(config: Path, url: str, count: int) -> list[Replica]:
    return [deliver_once(config, AT_DUE, name=f"duebot-r{i}",
                         database_url=replica_url(url, f"duebot-r{i}"))
            for i in range(1, count + 1)]


def holds_claims(url: str, replica: Replica) -> bool:
    """Whether the replica is mid-batch: it holds claimed rows (its owner id names its pid)."""
    rows = query(url, "SELECT count(*) FROM deliveries WHERE state = 'claimed' "
                      "AND lease_owner LIKE %s", [f"%:{replica.pid}:%"])
    return int(rows[0][0]) > 0


def sweep_after_leases(config: Path, url: str) -> None:
    """What a next cron run does: once every lease has run out (by the database's clock), one
    more pass takes over whatever a dead or disconnected replica held."""
    if states(url).get("claimed", 0) == 0:
        return
    wait_for(lambda: not query(url, "SELECT 1 FROM deliveries WHERE state = 'claimed' "
                                    "AND lease_until >= now()"), 120, "leases to run out")
    last = deliver_once(config, AT_DUE, name="sweeper")
    assert last.wait() == 0, last.stderr


# -- the race -------------------------------------------------------------------------------

@pytest.mark.slow
def test_four_replicas_send_ten_thousand_deliveries_each_exactly_once(
        tmp_path: Path, pg_url: str, slow_smtp: CountingSmtp) -> None:
    count = int(os.environ.get("DUEBOT_RACE_DELIVERIES", "10000"))
    config = write_config(tmp_path, database_url=pg_url, smtp_port=slow_smtp.port, count=count)
    plan(config)
    assert states(pg_url) == {"pending": count}
    started = time.monotonic()
    replicas = start_replicas(config, pg_url, 4)
    for replica in replicas:
        assert replica.wait() == 0, replica.stderr
    elapsed = time.monotonic() - started

    sent_by = [int(r.stdout.rsplit("UTC: ", 1)[1].split(" sent")[0]) for r in replicas]
    received = keys_at(slow_smtp)
    print(f"\n{count} deliveries, 4 replicas: {elapsed:.1f}s ({count / elapsed:.0f}/s), "
          f"per replica {sent_by}")
    assert states(pg_url) == {"sent": count}
    assert len(received) == count
    assert max(received.values()) == 1, [k for k, n in received.items() if n > 1][:5]
    assert sum(sent_by) == count
    assert min(sent_by) > 0, "every replica took part: claims did not queue behind one another"


# -- a replica killed mid-batch -------------------------------------------------------------

@pytest.mark.slow
def test_a_replica_killed_mid_batch_loses_nothing_and_duplicates_only_in_the_window(
        tmp_path: Path, pg_url: str, slow_smtp: CountingSmtp) -> None:
    count = 1500
    config = write_config(tmp_path, database_url=pg_url, smtp_port=slow_smtp.port,
                          count=count, lease="3s")
    plan(config)
    replicas = start_replicas(config, pg_url, 4)
    victim = replicas[0]
    wait_for(lambda: slow_smtp.count >= 200 and holds_claims(pg_url, victim), 120,
             "the first replica to be mid-batch")
    held = int(query(pg_url, "SELECT count(*) FROM deliveries WHERE state = 'claimed' "
                             "AND lease_owner LIKE %s", [f"%:{victim.pid}:%"])[0][0])
    victim.process.send_signal(signal.SIGKILL)
    assert victim.wait() == -signal.SIGKILL
    in_hand = {key for (key,) in query(pg_url, "SELECT key FROM deliveries WHERE state = "
                                               "'claimed' AND lease_owner LIKE %s",
                                       [f"%:{victim.pid}:%"])}
    for replica in replicas[1:]:
        assert replica.wait() == 0, replica.stderr
    sweep_after_leases(config, pg_url)

    received = keys_at(slow_smtp)
    duplicates = {key: n for key, n in received.items() if n > 1}
    print(f"\nkilled a replica holding {held} claims; duplicates at the server: "
          f"{len(duplicates)} {sorted(duplicates)}")
    assert states(pg_url) == {"sent": count}
    assert len(received) == count
    # One replica killed: at most one message per SMTP session it had in flight, each one
    # that it held unrecorded at the kill.
    assert len(duplicates) <= SmtpConfig.connections
    assert set(duplicates) <= in_hand
    assert all(n == 2 for n in duplicates.values())


# -- a replica's database connection cut mid-batch -----------------------------------------

@pytest.mark.slow
def test_a_replica_whose_connection_is_terminated_mid_batch_recovers_and_sends_once(
        tmp_path: Path, pg_url: str, slow_smtp: CountingSmtp) -> None:
    count = 1500
    config = write_config(tmp_path, database_url=pg_url, smtp_port=slow_smtp.port,
                          count=count, lease="3s")
    plan(config)
    replicas = start_replicas(config, pg_url, 4)
    target = replicas[0]
    cuts = 0
    for _ in range(3):
        wait_for(lambda: holds_claims(pg_url, target) or target.process.poll() is not None,
                 120, "the first replica to be mid-batch")
        if target.process.poll() is not None:
            break
        cuts += terminate(pg_url, application_name="duebot-r1")
        time.sleep(0.4)
    for replica in replicas:
        assert replica.wait() == 0, replica.stderr
    sweep_after_leases(config, pg_url)

    received = keys_at(slow_smtp)
    print(f"\nterminated {cuts} backends of duebot-r1; it sent "
          f"{target.stdout.rsplit('UTC: ', 1)[1].strip()}")
    assert cuts >= 1
    assert "Traceback" not in target.stderr
    assert states(pg_url) == {"sent": count}
    assert len(received) == count
    assert max(received.values()) == 1


# -- clock skew -----------------------------------------------------------------------------

class Recording:
    """A channel that keeps what it was given: to count sends from in-process replicas."""

    scheme = "console"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def send(self, message: Outgoing) -> Outcome:
        with self.lock:
            self.sent.append(message.key)
        return Outcome.sent()

    def close(self) -> None:
        """Nothing to release."""


def workshop_due_at(tmp_path: Path, due: datetime) -> Path:
    """A schedule whose one reminder ("1d" before the deadline) is due at ``due``."""
    deadline = due + timedelta(days=1)
    text = WORKSHOP.replace("2030-06-02 12:00", f"{deadline:%Y-%m-%d %H:%M}")
    path = tmp_path / f"due-{deadline:%Y%m%d%H%M}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def in_process(url: str, schedule: Path, *, clock: Callable[[], datetime] | None = None,
               owner: str, lease: str | timedelta = "60s", poll: str = "30s",
               channel: Recording | None = None, destinations: int = 3) -> Service:
    def duration(value: str | timedelta) -> timedelta:
        return value if isinstance(value, timedelta) else timedelta(seconds=int(value[:-1]))

    config = Config(
        storage=StorageConfig(database_url=url),
        delivery=DeliveryConfig(lease=duration(lease), poll=duration(poll)),
        schedules=(ScheduleConfig(path=schedule, reminders_to=tuple(
            f"console:{i}" for i in range(destinations))),),
        http=HttpConfig(enabled=False),
    )
    return Service(config, clock=clock, owner=owner,
                   channels={"console": channel or Recording()})


def db_now(url: str) -> datetime:
    value = query(url, "SELECT now()")[0][0]
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


def test_a_replica_on_the_default_clock_never_sends_early_whatever_its_own_clock_says(
        tmp_path: Path, pg_url: str) -> None:
    from freezegun import freeze_time

    now = db_now(pg_url)
    schedule = workshop_due_at(tmp_path, now + timedelta(minutes=30))
    honest = in_process(pg_url, schedule, owner="honest")
    honest.reconcile(honest.clock())
    assert states(pg_url) == {"pending": 3}

    # This machine's clock runs an hour fast (or slow): the default replica asks the database.
    for skew in (timedelta(hours=1), -timedelta(hours=1)):
        with freeze_time(datetime.now(UTC) + skew, tick=True):
            skewed = in_process(pg_url, schedule, owner=f"skewed{skew}")
            assert abs(skewed.clock() - db_now(pg_url)) < timedelta(seconds=5)
            assert skewed.deliver_once(skewed.clock()).sent == 0
    assert states(pg_url) == {"pending": 3}

    # The counterfactual: a replica that trusted its own fast clock *would* send 30 min early.
    own_clock = in_process(pg_url, schedule, owner="own-clock",
                           clock=lambda: datetime.now(UTC) + timedelta(hours=1))
    assert own_clock.deliver_once(own_clock.clock()).sent == 3


def test_skewed_replicas_never_take_over_a_live_claim_leases_run_on_the_database_clock(
        tmp_path: Path, pg_url: str) -> None:
    now = db_now(pg_url)
    schedule = workshop_due_at(tmp_path, now - timedelta(minutes=1))  # due a minute ago
    first_channel = Recording()
    first = in_process(pg_url, schedule, owner="first", lease="2s", channel=first_channel)
    first.ledger.reconcile("scale", [
        Planned(key=f"k{i}", event_id="scale", date_id="paper", item_id="x", destination="d",
                due=now - timedelta(minutes=1))
        for i in range(3)], now - timedelta(minutes=2))
    # Both others are built first: on a loaded machine building one can outlast a 2 s lease.
    fast = in_process(pg_url, schedule, owner="fast",
                      clock=lambda: datetime.now(UTC) + timedelta(hours=1))
    slow = in_process(pg_url, schedule, owner="slow",
                      clock=lambda: datetime.now(UTC) - timedelta(hours=1))
    claimed = first.ledger.claim(first.clock(), limit=10, lease=timedelta(seconds=2))
    assert len(claimed) == 3
    for other in (fast, slow):
        assert other.ledger.claim(other.clock(), limit=10, lease=timedelta(seconds=60)) == []
    assert {r.lease_owner for r in first.ledger.rows(states=["claimed"])} == {"first"}

    # Once the lease has run out by the database's clock, even the slow replica takes over ...
    wait_for(lambda: db_now(pg_url) > max(r.lease_until or now for r in claimed), 10,
             "the lease to run out")
    taken = slow.ledger.claim(slow.clock(), limit=10, lease=timedelta(seconds=60))
    assert sorted(r.key for r in taken) == ["k0", "k1", "k2"]
    # ... and the first replica, back from a pause, can neither renew nor record.
    assert not first.ledger.renew("k0", timedelta(seconds=2))
    assert not first.ledger.finish("k0", "sent", now)
    assert first_channel.sent == []


# -- once-per-change work -------------------------------------------------------------------

def test_replicas_reconciling_the_same_change_at_once_plan_and_log_each_row_once(
        pg_url: str) -> None:
    """Planning is idempotent by construction (INSERT ... ON CONFLICT DO NOTHING RETURNING
    logs only rows it inserted); re-timing and cancelling run under the advisory lock
    ``reconcile:<event>``, so the second replica reads the first one's result and logs
    nothing again."""
    base = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    before = base - timedelta(days=30)

    def planned(shift: timedelta, count: int = 200) -> list[Planned]:
        return [Planned(key=f"r|mailto:p{i}@example.org", event_id="scale", date_id="paper",
                        item_id="r", destination=f"mailto:p{i}@example.org", due=base + shift)
                for i in range(count)]

    ledgers = [Ledger.open(pg_url, owner=f"replica-{i}") for i in range(4)]

    def all_at_once(want: list[Planned]) -> None:
        barrier = threading.Barrier(len(ledgers))
        errors: list[BaseException] = []

        def run(ledger: Ledger) -> None:
            try:
                barrier.wait()
                ledger.reconcile("scale", want, before)
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(ledger,)) for ledger in ledgers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []

    try:
        all_at_once(planned(timedelta(0)))
        all_at_once(planned(timedelta(hours=2)))           # the date moved: re-time
        all_at_once(planned(timedelta(hours=2), count=150))  # 50 people removed: cancel
        rows = query(pg_url, "SELECT state, count(*) FROM deliveries GROUP BY state")
        assert dict(rows) == {"pending": 150, "cancelled": 50}
        log = Counter((str(k), str(a), str(b)) for k, a, b in query(
            pg_url, "SELECT key, from_state, to_state FROM delivery_log"))
        assert max(log.values()) == 1
        transitions = Counter((a, b) for _, a, b in log)
        assert transitions == {("", "pending"): 200, ("pending", "pending"): 200,
                               ("pending", "cancelled"): 50}
    finally:
        for ledger in ledgers:
            ledger.close()


# -- Slack retries that reach another replica -------------------------------------------------

def test_an_inbound_event_seen_by_many_replicas_at_once_is_handled_exactly_once(
        pg_url: str) -> None:
    ledgers = [Ledger.open(pg_url, owner=f"replica-{i}") for i in range(6)]
    keys = [f"slack:Ev{i:04d}" for i in range(40)]
    wins: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(ledgers))
    now = datetime(2030, 6, 1, tzinfo=UTC)

    def run(ledger: Ledger) -> None:
        barrier.wait()
        for key in keys:
            if ledger.first_time(key, now):
                with lock:
                    wins[key] += 1

    threads = [threading.Thread(target=run, args=(ledger,)) for ledger in ledgers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for ledger in ledgers:
            ledger.close()
    assert wins == dict.fromkeys(keys, 1)


# -- losing the database --------------------------------------------------------------------

def test_a_replica_that_loses_its_database_keeps_running_reports_unhealthy_and_sends_nothing(
        tmp_path: Path, pg_url: str) -> None:
    moment = [BEFORE_DUE]
    channel = Recording()
    schedule = workshop_due_at(tmp_path, DUE)
    service = in_process(pg_url, schedule, owner="lonely", poll="1s", channel=channel,
                         clock=lambda: moment[0], destinations=1)
    service.reconcile(BEFORE_DUE)
    service.start()
    try:
        wait_for(lambda: service.health.last_delivery_run is not None, 10, "a first pass")
        assert service.health.ok
        block(pg_url)
        moment[0] = AT_DUE  # the reminder falls due while the database is away
        service.wake()
        wait_for(lambda: not service.health.ok, 20, "the replica to report itself unhealthy")
        assert service.health.database.startswith("unreachable: ")
        time.sleep(2.5)  # it keeps retrying, with backoff, and sends nothing it cannot record
        deliver = service.jobs.states()["deliver"]
        assert not deliver.up and deliver.crashes == 0  # waiting on its database, not crashed
        assert deliver.runs >= 2  # and it keeps trying
        assert not service.health.ok
        assert channel.sent == []

        unblock(pg_url)
        service.wake()
        wait_for(lambda: bool(channel.sent) and service.health.ok, 60,
                 "the replica to recover and send")
        assert service.health.database == "ok"
        assert channel.sent == [key for (key,) in query(pg_url, "SELECT key FROM deliveries "
                                                               "WHERE state = 'sent'")]
    finally:
        unblock(pg_url)
        service.stop()
        service.ledger.close()


def test_a_replica_that_cannot_renew_its_lease_before_sending_does_not_send(
        tmp_path: Path, pg_url: str) -> None:
    """The database goes away between the claim and the send: the lease check before the send
    fails, so nothing goes out; after the lease runs out the delivery is sent, once."""
    channel = Recording()
    schedule = workshop_due_at(tmp_path, DUE)
    lease = timedelta(seconds=2)
    service = in_process(pg_url, schedule, owner="cut-off", lease=lease, channel=channel,
                         clock=lambda: AT_DUE, destinations=1)
    service.reconcile(BEFORE_DUE)
    original = service.ledger.claim

    def claim_then_lose_the_database(*args: object, **kwargs: object) -> list[object]:
        rows: list[object] = original(*args, **kwargs)  # type: ignore[arg-type]
        if rows:
            block(pg_url)
            time.sleep(lease.total_seconds() / 2 + 0.1)  # past half the lease: renew first
        return rows

    service.ledger.claim = claim_then_lose_the_database  # type: ignore[assignment,method-assign]
    with pytest.raises(StorageUnavailable):  # ours: the store maps SQLAlchemy's errors
        service.deliver_once(AT_DUE)
    assert channel.sent == []
    service.ledger.claim = original  # type: ignore[method-assign]
    unblock(pg_url)
    wait_for(lambda: not query(pg_url, "SELECT 1 FROM deliveries WHERE state = 'claimed' "
                                       "AND lease_until >= now()"), 20, "the lease to run out")
    assert service.deliver_once(AT_DUE).sent == 1
    assert len(channel.sent) == 1
    service.ledger.close()


# -- schema migrations ----------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    require_pg()
    with fresh_database() as url:
        yield url


def cli(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("DUEBOT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bot", *args, "--config", str(config)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def test_a_ledger_from_the_first_schema_is_refused_until_upgraded_and_keeps_its_data(
        tmp_path: Path, any_url: str) -> None:
    engine = make_engine(any_url)
    upgrade(engine, "0001")
    at = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO deliveries (key, event_id, date_id, item_id, kind, destination, due, "
            "target, state, attempts, next_attempt, planned_at, updated_at, sent_at, reason, "
            "remote_id, payload) VALUES ('paper-1d|console:', 'scale', 'paper', 'paper-1d', "
            "'reminder', 'console:', :due, :target, 'sent', 1, :due, :at, :at, :due, 'sent', "
            "'Q000042', '')"), {"due": DUE, "target": DUE + timedelta(days=1), "at": at})
        conn.execute(sa.text("INSERT INTO delivery_log (key, at, from_state, to_state, reason, "
                             "actor) VALUES ('paper-1d|console:', :at, 'claimed', 'sent', "
                             "'sent', 'old-replica')"), {"at": at})
        conn.execute(sa.text("INSERT INTO duebot_meta (name, value) VALUES ('note', 'kept')"))
    engine.dispose()

    (tmp_path / "scale.toml").write_text(WORKSHOP, encoding="utf-8")
    config = tmp_path / "duebot.toml"
    config.write_text(f'[storage]\ndatabase_url = "{any_url}"\n[http]\nenabled = false\n'
                      f'[[schedules]]\npath = "scale.toml"\nreminders_to = ["console:"]\n',
                      encoding="utf-8")

    for command in (["deliver", "--once", "--now", AT_DUE.isoformat()], ["run"]):
        refused = cli(config, *command)
        assert refused.returncode == 1, (command, refused.stdout, refused.stderr)
        assert "duebot db upgrade" in refused.stderr
        assert "revision 0001" in refused.stderr
        assert "Traceback" not in refused.stderr
    current = cli(config, "db", "current")
    assert "out of date" in current.stdout

    upgraded = cli(config, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"0001 -> {head_revision()}" in upgraded.stdout

    engine = make_engine(any_url)
    try:
        assert current_revision(engine) == head_revision()
        tables = set(sa.inspect(engine).get_table_names())
        assert {"subscribers", "audit_log", "processed_inbound", "announcements"} <= tables
        ledger = Ledger(engine)
        (row,) = ledger.rows()
        assert (row.key, row.state, row.remote_id, row.sent_at) == (
            "paper-1d|console:", "sent", "Q000042", DUE)
        assert row.needs_approval is False and row.approved_at is None
        assert [h["actor"] for h in ledger.history(row.key)] == ["old-replica"]
        assert ledger.get_meta("note") == "kept"
    finally:
        engine.dispose()

    # Upgraded, it runs, and what was sent before stays sent.
    again = cli(config, "deliver", "--once", "--now", AT_DUE.isoformat())
    assert again.returncode == 0, again.stderr
    assert "0 sent" in again.stdout



def test_the_revision_read_without_alembic_is_alembic_s_head() -> None:
    assert head_revision() == HEAD


def test_an_up_to_date_ledger_opens_without_importing_alembic(any_url: str) -> None:
    engine = make_engine(any_url)
    try:
        assert not at_head(engine)  # no schema yet: alembic's business
        upgrade(engine, "0004")
        assert not at_head(engine)  # an older one too (and it is refused, as above)
        upgrade(engine)
        assert at_head(engine)
    finally:
        engine.dispose()
    opened = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom bot.adapters.store.ledger import Ledger\n"
         f"Ledger.open({any_url!r}).close()\nprint(sorted(m for m in sys.modules "
         "if m.split('.')[0] == 'alembic'))"],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
        timeout=120, check=False)
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.strip() == "[]"
