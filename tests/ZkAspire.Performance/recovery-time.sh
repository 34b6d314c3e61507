#!/usr/bin/env bash
# Licensed to the ZkAspire contributors under the Apache License, Version 2.0.
#
# Recovery time, side by side: fills a durable standalone server (ZkAspire, then Apache
# ZooKeeper 3.8 from Debian's package) with N znodes using `zkaspire bench`, kills it with
# SIGKILL, restarts it on the same dataDir, and reports the time from starting the process to
# the first answered request (a new session and an exists of "/", tried every 5 ms), read from
# a recovery that loads the newest snapshot and replays the txn log after it.
#
# Usage: tests/ZkAspire.Performance/recovery-time.sh [znodes (default 1000000)] [repetitions (default 2)]
# Needs: a Release build of src/ZkAspire.Server.Host and src/ZkAspire.Cli (the script builds them).
# Not a test: it asserts nothing about time. Prints one line per run and a summary.
set -euo pipefail
cd "$(dirname "$0")/../.."

ZNODES="${1:-1000000}"
REPS="${2:-2}"
JAR=/usr/share/java/zookeeper.jar
WORK="$(mktemp -d /tmp/zkaspire-recovery-XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

dotnet build -c Release -v q src/ZkAspire.Server.Host >/dev/null
dotnet build -c Release -v q src/ZkAspire.Cli >/dev/null
SERVER_DLL=src/ZkAspire.Server.Host/bin/Release/net10.0/zkaspire-server.dll
CLI_DLL=src/ZkAspire.Cli/bin/Release/net10.0/zkaspire.dll

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Prints the milliseconds until a session is established and exists("/") is answered.
probe() {
  python3 - "$1" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1]); start = time.monotonic(); deadline = start + 600
def frame(b): return struct.pack(">i", len(b)) + b
def recv_frame(s):
    head = b""
    while len(head) < 4:
        c = s.recv(4 - len(head))
        if not c: raise OSError("closed")
        head += c
    n = struct.unpack(">i", head)[0]; body = b""
    while len(body) < n:
        c = s.recv(n - len(body))
        if not c: raise OSError("closed")
        body += c
    return body
while time.monotonic() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            # ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly
            s.sendall(frame(struct.pack(">iqiqi", 0, 0, 30000, 0, 16) + b"\0" * 16 + b"\0"))
            r = recv_frame(s)
            if struct.unpack(">i", r[4:8])[0] <= 0: raise OSError("refused")
            # exists("/"): xid 1, op 3, path, watch=false
            s.sendall(frame(struct.pack(">ii", 1, 3) + struct.pack(">i", 1) + b"/" + b"\0"))
            r = recv_frame(s)
            xid, zxid, err = struct.unpack(">iqi", r[:16])
            if xid == 1 and err == 0:
                print(round((time.monotonic() - start) * 1000)); sys.exit(0)
    except OSError:
        pass
    time.sleep(0.005)
print("timeout"); sys.exit(1)
PY
}

# start <kind> <dir> <port>: starts a server in the background, sets SERVER_PID.
start() {
  local kind=$1 dir=$2 port=$3
  if [ "$kind" = zkaspire ]; then
    dotnet "$SERVER_DLL" "$dir/zoo.cfg" >>"$dir/server.log" 2>&1 &
  else
    java -Dzookeeper.log.dir="$dir" -cp "$JAR:/usr/share/java/slf4j-simple.jar" \
      org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" >>"$dir/server.log" 2>&1 &
  fi
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
}

znode_count() { python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10); s.sendall(b"mntr"); out = b""
while True:
    c = s.recv(65536)
    if not c: break
    out += c
for line in out.decode().splitlines():
    if line.startswith("zk_znode_count"): print(line.split()[1])
PY
}

for kind in zkaspire apache; do
  for rep in $(seq 1 "$REPS"); do
    dir="$WORK/$kind-$rep"; mkdir -p "$dir/data"
    port=$(free_port)
    printf 'tickTime=2000\ndataDir=%s/data\nclientPort=%s\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=*\nadmin.enableServer=false\nmaxClientCnxns=0\n' "$dir" "$port" >"$dir/zoo.cfg"
    start "$kind" "$dir" "$port"; probe "$port" >/dev/null
    fill_start=$(date +%s)
    while [ "$(znode_count "$port")" -lt "$ZNODES" ]; do
      dotnet "$CLI_DLL" bench -server "127.0.0.1:$port" -w create -c 8 -k 64 --warmup 0 -d 10s --keep -q --path "/r$(date +%s%N)" >/dev/null
    done
    count=$(znode_count "$port")
    kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
    size=$(du -sm "$dir/data" | cut -f1)
    start "$kind" "$dir" "$port"
    ms=$(probe "$port")
    after=$(znode_count "$port")
    echo "$kind run $rep: $count znodes ($size MiB dataDir, filled in $(( $(date +%s) - fill_start )) s), killed, restarted: serving after $ms ms with $after znodes; load $(cut -d' ' -f1-3 /proc/loadavg)"
    kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$dir"
  done
done
