#!/usr/bin/env python3
"""Where hactl's atomic reference-count operations come from, per request: reads the call chains
`perf script -F event,ip,sym` prints for uprobes on swift_retain and swift_release (recorded with
perf record -g by scripts/bench-allocs --refcounts --sites) and charges each operation to a site.

    refcount-sites.py PERF_SCRIPT.txt REQUESTS [ROWS]

A site is the first frame of hactl's own code (the Proxy and TLS modules) from the leaf up, and
what it called to get there: "(itself)" when the operation is its own (a reference it copied or
dropped), else the SwiftNIO or standard-library function it called (`ChannelHandlerContext.write`,
`ByteBuffer.getSlice`...). Operations with no hactl frame on the stack are SwiftNIO's alone (the
event loop reading a socket, its own bookkeeping) and are charged to the function that made them.
The table shows operations per request, the count divided by REQUESTS.

The release binary folds functions whose machine code is identical into one symbol: SwiftNIO's
`ChannelHandlerContext.read()` and `flush()` are one, and a flush shows as `read()`.
"""
import subprocess
import sys
from collections import Counter

DEMANGLE = "/opt/swift/usr/bin/swift-demangle"
OWN_PREFIXES = ("$s5Proxy", "$s3TLS")


def read_stacks(path):
    """Yields each sample's frames (symbol names, leaf first)."""
    frames = None
    with open(path) as f:
        for line in f:
            if not line.strip():
                if frames:
                    yield frames
                frames = None
            elif line.startswith("\t"):
                parts = line.split(None, 1)
                frames.append(parts[1].strip() if len(parts) > 1 else "?")
            else:
                frames = []
    if frames:
        yield frames


def site(frames):
    """(hactl frame, what it called) for one sample; frames[0] is swift_retain/release itself."""
    for i, frame in enumerate(frames[1:], 1):
        if frame.startswith(OWN_PREFIXES):
            callee = frames[i - 1] if i > 1 else "(itself)"
            return frame, "(itself)" if callee.startswith(OWN_PREFIXES) else callee
    return "(no hactl frame: SwiftNIO alone)", frames[1] if len(frames) > 1 else "?"


def main():
    path, requests = sys.argv[1], int(sys.argv[2])
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    counts = Counter(site(frames) for frames in read_stacks(path))
    total = sum(counts.values())
    names = sorted({name for pair in counts for name in pair})
    demangled = subprocess.run([DEMANGLE, "--simplified", "--compact"], input="\n".join(names),
                               capture_output=True, text=True, check=True).stdout.split("\n")
    readable = dict(zip(names, demangled))
    print(f"{total / requests:.1f} retains + releases per request recorded; by site:")
    print(f"{'per request':>11}  {'hactl frame':<60}  called")
    for (frame, callee), n in counts.most_common(rows):
        print(f"{n / requests:11.1f}  {readable.get(frame, frame)[:60]:<60}  {readable.get(callee, callee)[:80]}")


if __name__ == "__main__":
    main()
