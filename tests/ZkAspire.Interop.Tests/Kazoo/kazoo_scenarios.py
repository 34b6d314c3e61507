# Licensed to the ZkAspire contributors under the Apache License, Version 2.0.
"""Drives a ZooKeeper server with kazoo (python3-kazoo) through the features its users rely on.

Usage: kazoo_scenarios.py <connect string> <base path>

Prints one "name: value" line per observation for the calling test to assert on, then "done".
Checks its own expectations too and exits non-zero (with the reason on stderr) when one fails.
Every wait is bounded: a server that stays silent fails the scenario instead of hanging it.
"""

import sys
import threading

from kazoo.client import KazooClient
from kazoo.exceptions import BadVersionError, NodeExistsError, NoNodeError, NotEmptyError, RolledBackError

WAIT = 10.0


def report(name, value):
    print(f"{name}: {value}", flush=True)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def connect(hosts):
    client = KazooClient(hosts=hosts, timeout=WAIT, connection_retry={"max_tries": 3}, command_retry={"max_tries": 3})
    client.start(timeout=WAIT)
    return client


def ensure_path(zk, base):
    zk.ensure_path(base + "/a/b/c")
    expect(zk.exists(base + "/a/b/c") is not None, "ensure_path did not create the path")
    zk.ensure_path(base + "/a/b/c")  # idempotent
    report("ensure_path", ",".join(sorted(zk.get_children(base + "/a/b"))))


def ephemeral_and_sequence(zk, base):
    path = zk.create(base + "/eph", b"e", ephemeral=True)
    data, stat = zk.get(path)
    expect(stat.ephemeralOwner == zk.client_id[0], "ephemeral owner is not this session")
    report("ephemeral", f"{path} {data.decode()} owner-is-session={stat.ephemeralOwner == zk.client_id[0]}")

    first = zk.create(base + "/seq-", b"", sequence=True)
    second = zk.create(base + "/seq-", b"", sequence=True, ephemeral=True)
    report("sequence", f"{first[len(base):]},{second[len(base):]}")

    try:
        zk.create(base + "/eph/child")
        expect(False, "a child of an ephemeral node was created")
    except Exception as e:  # NoChildrenForEphemeralsError
        report("ephemeral_child", type(e).__name__)

    try:
        zk.create(base + "/eph")
        expect(False, "a duplicate node was created")
    except NodeExistsError:
        report("node_exists", "NodeExistsError")


def data_watch(zk, base):
    path = base + "/dw"
    zk.create(path, b"v0")
    seen = []
    changed = threading.Condition()

    @zk.DataWatch(path)
    def watch(data, stat, event):
        with changed:
            seen.append("deleted" if data is None else f"{data.decode()}@{stat.version}")
            changed.notify_all()

    def wait_for(count):
        with changed:
            expect(changed.wait_for(lambda: len(seen) >= count, WAIT), f"DataWatch saw {seen}, expected {count} calls")

    wait_for(1)
    zk.set(path, b"v1")
    wait_for(2)
    zk.set(path, b"v2")
    wait_for(3)
    zk.delete(path)
    wait_for(4)
    report("data_watch", ",".join(seen))


def children_watch(zk, base):
    path = base + "/cw"
    zk.create(path)
    seen = []
    changed = threading.Condition()

    @zk.ChildrenWatch(path)
    def watch(children):
        with changed:
            seen.append("|".join(sorted(children)))
            changed.notify_all()

    def wait_for(count):
        with changed:
            expect(changed.wait_for(lambda: len(seen) >= count, WAIT), f"ChildrenWatch saw {seen}, expected {count} calls")

    wait_for(1)
    zk.create(path + "/x")
    wait_for(2)
    zk.create(path + "/y")
    wait_for(3)
    zk.set(path + "/x", b"data changes are not child changes")
    zk.delete(path + "/x")
    wait_for(4)
    report("children_watch", ",".join("[" + s + "]" for s in seen))


def transactions(zk, base):
    path = base + "/tx"
    zk.create(path, b"0")
    t = zk.transaction()
    t.create(path + "/a", b"a")
    t.set_data(path, b"1", version=0)
    t.check(path, 1)
    t.create(path + "/s-", b"", sequence=True)
    t.delete(path + "/a")
    results = t.commit()
    shown = []
    for r in results:
        shown.append(r if isinstance(r, (str, bool)) else f"version={r.version}")
    report("transaction", ",".join(str(s) for s in shown))

    t = zk.transaction()
    t.create(path + "/b")
    t.check(path, 0)
    t.delete(path + "/missing")
    failed = t.commit()
    report("failed_transaction", ",".join(type(r).__name__ for r in failed))
    expect(zk.exists(path + "/b") is None, "a failed transaction was applied")
    expect(isinstance(failed[0], RolledBackError) and isinstance(failed[1], BadVersionError), f"unexpected results {failed}")


def lock(hosts, zk, base):
    other = connect(hosts)
    try:
        path = base + "/lock"
        first = zk.Lock(path, "first")
        second = other.Lock(path, "second")
        expect(first.acquire(timeout=WAIT), "the first contender did not get the lock")
        events = ["first acquired"]
        waiting = threading.Event()
        acquired = threading.Event()

        def contend():
            waiting.set()
            if second.acquire(timeout=WAIT):
                acquired.set()

        thread = threading.Thread(target=contend)
        thread.start()
        expect(waiting.wait(WAIT), "the second contender did not start")

        # Wait (on a children watch) until the second contender's node is there, so it really
        # queued behind the first.
        contenders = threading.Condition()
        counts = []

        @zk.ChildrenWatch(path)
        def watch(children):
            with contenders:
                counts.append(len(children))
                contenders.notify_all()
            return len(children) < 2

        with contenders:
            expect(contenders.wait_for(lambda: counts and counts[-1] >= 2, WAIT), f"lock children counts: {counts}")
        report("lock_contenders", ",".join(first.contenders()))
        expect(not acquired.is_set(), "the second contender got the lock while the first held it")
        first.release()
        events.append("first released")
        expect(acquired.wait(WAIT), "the second contender did not get the lock after the release")
        events.append("second acquired")
        thread.join(WAIT)
        second.release()
        events.append("second released")
        report("lock", ",".join(events))
        report("lock_children_after", len(zk.get_children(path)))
    finally:
        other.stop()
        other.close()


def cleanup(zk, base):
    zk.delete(base, recursive=True)
    expect(zk.exists(base) is None, "recursive delete left the base path")
    try:
        zk.delete(base)
        expect(False, "deleting a missing node succeeded")
    except NoNodeError:
        report("cleanup", "NoNodeError")


def main():
    hosts, base = sys.argv[1], sys.argv[2]
    zk = connect(hosts)
    try:
        report("connected", zk.connected)
        ensure_path(zk, base)
        ephemeral_and_sequence(zk, base)
        data_watch(zk, base)
        children_watch(zk, base)
        transactions(zk, base)
        lock(hosts, zk, base)
        try:
            zk.delete(base + "/a")
            expect(False, "a node with children was deleted")
        except NotEmptyError:
            report("not_empty", "NotEmptyError")
        cleanup(zk, base)
    finally:
        zk.stop()
        zk.close()
    print("done", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report and fail
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
