"""Polls http://VIP/ every 10 ms from the client namespace (scripts/bench-failover).

    python3 vip-poller.py VIP OUTPUT INJECTED_FLAG LIMIT_SECONDS

Each poll is a fresh TCP connection (connect timeout 50 ms, answer within 200 ms) sending
`GET / HTTP/1.1` with `Connection: close`; a poll succeeds when the answer starts with a 200
status line. Writes to OUTPUT, one `key value` per line, times in CLOCK_REALTIME nanoseconds
(the clock `date +%s%N` reads):
  ready T            first success (the bench injects the failure only after this line)
  first_failure T    start of the first failed poll that started once INJECTED_FLAG existed
                     (the bench creates it right after injecting the failure)
  recovered T        end of the first successful poll after that failure
  later_failures N   failed polls in the second after recovery (0 unless the VIP flapped)
  polls N            polls made
  early_failures N   failed polls between ready and the flag (ignored; 0 on a quiet machine)
Bounded: exits after LIMIT_SECONDS whatever happened, and one second after recovery.
"""

import os
import socket
import sys
import time

PERIOD = 0.010
CONNECT_TIMEOUT = 0.050
ANSWER_TIMEOUT = 0.200


def poll(vip):
    try:
        with socket.create_connection((vip, 80), timeout=CONNECT_TIMEOUT) as s:
            s.settimeout(ANSWER_TIMEOUT)
            s.sendall(b"GET / HTTP/1.1\r\nHost: " + vip.encode() + b"\r\nConnection: close\r\n\r\n")
            head = s.recv(16)
            return head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200")
    except OSError:
        return False


def main():
    vip, path, flag, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    deadline = time.monotonic() + limit
    ready = first_failure = recovered = None
    later_failures = early_failures = polls = 0
    injected = False
    with open(path, "w", buffering=1) as out:
        next_poll = time.monotonic()
        while time.monotonic() < deadline:
            injected = injected or (ready is not None and os.path.exists(flag))
            started = time.time_ns()
            ok = poll(vip)
            ended = time.time_ns()
            polls += 1
            if ready is None:
                if ok:
                    ready = ended
                    out.write(f"ready {ready}\n")
            elif not injected:
                if not ok:
                    early_failures += 1
            elif first_failure is None:
                if not ok:
                    first_failure = started
                    out.write(f"first_failure {first_failure}\n")
            elif recovered is None:
                if ok:
                    recovered = ended
                    out.write(f"recovered {recovered}\n")
                    deadline = min(deadline, time.monotonic() + 1.0)
            elif not ok:
                later_failures += 1
            next_poll += PERIOD
            pause = next_poll - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:
                next_poll = time.monotonic()
        out.write(f"later_failures {later_failures}\nearly_failures {early_failures}\npolls {polls}\n")


main()
