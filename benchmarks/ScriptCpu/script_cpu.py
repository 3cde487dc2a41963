#!/usr/bin/env python3
"""Redis CPU per schedule.lua call, as INFO commandstats reports it (usec_per_call of evalsha).

Compares builds of RedisScheduler on one private redis-server it starts itself, alternating them
ROUNDS times: for each build, the text the library sends for schedule.lua (ScriptText.cs) is loaded
and called with the keys that build passes, one task per call (the path of ScheduleTaskAsync) and
2,000 tasks per call (a batch chunk). Only Redis's time is measured, so the client does not matter.
Each figure is the lowest of WINDOWS measurements (CONFIG RESETSTAT between them) and their median:
on a shared machine other work only ever adds to Redis's time, so the lowest is the closest to the
script's own cost.

    python3 benchmarks/ScriptCpu/script_cpu.py NAME=path/to/RedisScheduler.dll [NAME=...] [--rounds N]

Needs redis-server and dotnet on PATH. Standard library only.
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

KEY_NAMES = ("due ready inflight tasks seq dead errors rate recurring recurring-next ready-high ready-low "
             "results done waiters waiting dependents outbox succeeded failed").split()
PAYLOAD = b'{"orderId":12345,"customer":"someone@example.com","amount":99.95,"items":[1,2,3],"note":"x"}'
SINGLE_CALLS = 1000
BATCH_CALLS, BATCH_SIZE = 5, 2000
WINDOWS = 5


def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += [b"$%d\r\n" % len(a), a, b"\r\n"]
    return b"".join(out)


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rb")

    def read(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind in (b"+", b":"):
            return rest
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2]
        return [self.read() for _ in range(int(rest))]

    def call(self, *args):
        self.sock.sendall(encode(args))
        return self.read()


def evalsha_usec_per_call(redis):
    stats = redis.call("INFO", "commandstats").decode()
    return float(re.search(r"cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)", stats).group(1))


def measure(redis, sha, keys, tasks, calls):
    """(lowest, median) usec_per_call over WINDOWS windows of `calls` calls, each adding `tasks` tasks."""
    redis.call("FLUSHALL")
    pairs = []
    for i in range(tasks):
        pairs += [str(60000 + i), PAYLOAD]
    windows = []
    for _ in range(WINDOWS):
        redis.call("CONFIG", "RESETSTAT")
        for _ in range(calls):
            redis.call("EVALSHA", sha, len(keys), *keys, "t:{x}:wake", "rel", "", *pairs)
        windows.append(evalsha_usec_per_call(redis))
    windows.sort()
    return windows[0], windows[len(windows) // 2]


def main():
    rounds = 3
    builds = []
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--rounds":
            rounds = int(args.pop(0))
        else:
            name, dll = a.split("=", 1)
            builds.append((name, dll))
    here = os.path.dirname(os.path.abspath(__file__))
    work = tempfile.mkdtemp()
    scripts = []
    for name, dll in builds:
        path = os.path.join(work, name + ".lua")
        used = subprocess.run(["dotnet", "run", os.path.join(here, "ScriptText.cs"), "--", dll, path],
                              check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        indices = range(20) if used == "all" else [int(i) for i in used.split(",")]
        scripts.append((name, open(path, "rb").read(), ["t:{x}:" + KEY_NAMES[i] for i in indices]))

    port = 6390 + os.getpid() % 500
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                redis = Connection(port)
                break
            except OSError:
                time.sleep(0.1)
        print("build\tround\tkeys\ttext bytes\tusec/call 1 task (lowest, median)\tusec/call %d tasks (lowest, median)" % BATCH_SIZE)
        for r in range(1, rounds + 1):
            for name, text, keys in scripts:
                sha = redis.call("SCRIPT", "LOAD", text)
                single = measure(redis, sha, keys, 1, SINGLE_CALLS)
                batch = measure(redis, sha, keys, BATCH_SIZE, BATCH_CALLS)
                print(f"{name}\t{r}\t{len(keys)}\t{len(text)}\t{single[0]:.2f}, {single[1]:.2f}\t{batch[0]:.0f}, {batch[1]:.0f}", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
