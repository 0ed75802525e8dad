#!/usr/bin/env python3
"""The heap an event holds, by who allocated it: reads a perf record -g of uprobes on glibc's
malloc, calloc, realloc (entry and return) and free, keeps the blocks still allocated at the end
of the recording, and charges each one to its allocation site.

    heap-attribution.py PERF.DATA CLIENTS

The owner is the first frame from the allocation up that belongs to hactl's modules (hactl) or,
when no hactl frame is on the stack, SwiftNIO (NIO) or another library. glibc rounds a block up
to 16 bytes with an 8-byte header; that is what is counted.
"""
import collections
import re
import subprocess
import sys

HACTL_MODULES = tuple(f"{len(m)}{m}" for m in ("Proxy", "TLS", "VRRP", "HACore", "HAConfig", "Control", "PeerLink",
                                               "Netlink", "Systemd", "Appliance", "Zlib", "hactl"))
NIO_MODULES = tuple(f"{len(m)}{m}" for m in ("NIOPosix", "NIOCore", "NIOConcurrencyHelpers", "_NIODataStructures"))
HEADER = re.compile(r"^\s*(\d+)\s+\S+:(\w+?)(?:__return)?: \(.*?\)\s*(.*)$")


def events(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "tid,event,trace,ip,sym"],
                         capture_output=True, text=True, errors="replace").stdout
    current = None
    for line in out.splitlines():
        header = HEADER.match(line)
        if header and not line.startswith("\t"):
            if current:
                yield current
            args = dict(kv.split("=", 1) for kv in header.group(3).split() if "=" in kv)
            current = (int(header.group(1)), header.group(2), args, [])
        elif current and line.strip():
            parts = line.split(None, 1)
            if len(parts) == 2:
                current[3].append(parts[1])
    if current:
        yield current


def owner_and_site(stack):
    """(owner, the first two owning Swift frames) of an allocation's stack."""
    swift = [s for s in stack if s.startswith("$s")]
    for i, sym in enumerate(swift):
        if any(sym[2:].startswith(m) or m in sym for m in HACTL_MODULES):
            return "hactl", swift[max(i - 1, 0):i + 1]
    for i, sym in enumerate(swift):
        if sym[2:].startswith(NIO_MODULES):
            return "NIO", swift[i:i + 2]
    return "other", swift[:2] or stack[:2]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    clients = int(sys.argv[2])
    pending = collections.defaultdict(list)
    alive = {}
    for tid, event, args, stack in events(sys.argv[1]):
        if event in ("malloc", "calloc", "realloc"):
            if event == "calloc":
                size = int(args.get("n", 0)) * int(args.get("m", 0))
            else:
                size = int(args.get("bytes", 0))
            if event == "realloc":
                alive.pop(int(args.get("old", 0)), None)
            pending[tid].append((size, stack))
        elif event.endswith("_ret"):
            if pending[tid]:
                size, stack = pending[tid].pop()
                pointer = int(args.get("ret", 0))
                if pointer and pointer not in alive:
                    alive[pointer] = (size, stack)
        elif event == "free":
            alive.pop(int(args.get("ptr", 0)), None)
    groups = collections.defaultdict(lambda: [0, 0])
    owners = collections.Counter()
    for size, stack in alive.values():
        owner, site = owner_and_site(stack)
        block = (size + 8 + 15) // 16 * 16
        key = (owner, " < ".join(site))
        groups[key][0] += block
        groups[key][1] += 1
        owners[owner] += block
    total = sum(owners.values())
    print(f"heap held per idle client: {total / clients:.0f} bytes "
          + ", ".join(f"{name} {owners[name] / clients:.0f}" for name in ("NIO", "hactl", "other") if owners[name]))
    print()
    print("| bytes per client | blocks per client | owner | allocated in |")
    print("|---:|---:|---|---|")
    for (owner, site), (size, count) in sorted(groups.items(), key=lambda item: -item[1][0]):
        if size / clients < 16:
            break
        print(f"| {size / clients:.0f} | {count / clients:.2f} | {owner} | {site} |")


if __name__ == "__main__":
    main()
