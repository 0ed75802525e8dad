#!/usr/bin/env python3
"""Where a proxy's CPU goes, per request: reads `perf script -F ip,sym,dso` call chains of
perf record -g samples and splits them by who asked for the work.

    cpu-attribution.py HAPROXY.data HAPROXY_US HACTL.data HACTL_US

HAPROXY_US / HACTL_US are the CPU microseconds one request costs each proxy (user+system,
measured without perf attached); each sample's share of the profile is applied to it.

A sample is charged to the first frame, from the leaf up, that belongs to an owner:
  kernel            the leaf runs in the kernel (syscalls, TCP/IP, wakeups, softirqs);
  NIO               SwiftNIO's event loop, sockets, channel pipeline, write queue (NIOPosix, and
                    NIOCore's pipeline, futures and buffers pools; a ByteBuffer operation is
                    charged to whoever called it);
  hactl             hactl's own modules, and generic standard-library code specialised for them;
  HAProxy           HAProxy's binary.
and, within an owner, to what the leaf does: reference counting (swift_retain/release and
friends), heap allocation (malloc/free, swift_allocObject), libc (syscall wrappers, memcpy...)
or the code itself.
"""
import re
import subprocess
import sys
from collections import Counter

REFCOUNT = re.compile(r"^(swift_(retain|release|bridgeObjectRetain|bridgeObjectRelease|unknownObjectRetain|"
                      r"unknownObjectRelease|nonatomic_retain|nonatomic_release|retain_n|release_n|arrayDestroy|"
                      r"arrayInitWithCopy|isUniquelyReferenced\w*)|swift::RefCounts|_swift_release_dealloc)")
ALLOC = re.compile(r"^(malloc|free|cfree|calloc|realloc|_int_malloc|_int_free|_int_realloc|unlink_chunk|"
                   r"malloc_consolidate|tcache_\w+|swift_allocObject|swift_deallocObject|swift_slowAlloc|"
                   r"swift_slowDealloc|swift_deallocClassInstance|__libc_malloc|__libc_free|__GI___libc_malloc|"
                   r"__GI___libc_free|swift_allocBox|swift_deallocBox)")
NIO_CORE_NEUTRAL = re.compile(r"^\$s7NIOCore(10ByteBuffer|16_ByteBufferSlice|19ByteBufferAllocator|"
                              r"10ByteBufferV|17ByteBufferStorage)")
# Swift mangles a module name as its length and its spelling.
HACTL_MODULES = tuple(f"{len(m)}{m}" for m in ("Proxy", "TLS", "VRRP", "HACore", "HAConfig", "Control", "PeerLink",
                                               "Netlink", "Systemd", "Appliance", "Zlib", "hactl"))
NIO_MODULES = tuple(f"{len(m)}{m}" for m in ("NIOPosix", "NIOCore", "NIOConcurrencyHelpers", "_NIODataStructures"))


def module_of(sym):
    """The owner a Swift symbol belongs to, or None for runtime, C and neutral frames."""
    if not sym.startswith("$s"):
        return None
    if NIO_CORE_NEUTRAL.match(sym):
        return None
    m = re.match(r"^\$s(\d+)", sym)
    if m:
        rest = sym[2:]
        if rest.startswith(NIO_MODULES):
            return "NIO"
        if rest.startswith(HACTL_MODULES):
            return "hactl"
        return None
    # The standard library ($sS..., $ss...): owned by the module it was specialised for, if any.
    if any(marker in sym for marker in HACTL_MODULES):
        return "hactl"
    if any(marker in sym for marker in NIO_MODULES):
        return "NIO"
    return None


def kind_of(leaf_sym, leaf_dso):
    if REFCOUNT.match(leaf_sym):
        return "reference counting"
    if ALLOC.match(leaf_sym):
        return "heap allocation"
    if "libc" in leaf_dso or "ld-linux" in leaf_dso:
        return "libc"
    return "code"


def samples(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym,dso"],
                         capture_output=True, text=True, errors="replace").stdout
    frames = []
    for line in out.splitlines():
        line = line.strip()
        if not line:
            if frames:
                yield frames
            frames = []
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            continue
        rest = parts[1]
        dso = ""
        if rest.endswith(")") and " (" in rest:
            rest, dso = rest.rsplit(" (", 1)
            dso = dso[:-1]
        frames.append((rest.strip(), dso))
    if frames:
        yield frames


def attribute(path, binary_owner):
    counts = Counter()
    for frames in samples(path):
        leaf_sym, leaf_dso = frames[0]
        if "kernel" in leaf_dso or leaf_dso.startswith("[k"):
            counts[("kernel", "")] += 1
            continue
        kind = kind_of(leaf_sym, leaf_dso)
        owner = None
        for sym, dso in frames:
            if binary_owner and binary_owner in dso:
                owner = "HAProxy"
                break
            owner = module_of(sym)
            if owner:
                break
        counts[(owner or "other", kind)] += 1
    return counts


ROWS = [
    ("kernel: syscalls, TCP/IP, wakeups", [("kernel", "")]),
    ("HAProxy's code", [("HAProxy", "code")]),
    ("hactl's code", [("hactl", "code")]),
    ("hactl's reference counting", [("hactl", "reference counting")]),
    ("SwiftNIO's code (event loop, sockets, pipeline)", [("NIO", "code")]),
    ("SwiftNIO's reference counting", [("NIO", "reference counting")]),
    ("heap allocation (malloc, free)", [(o, "heap allocation") for o in ("HAProxy", "hactl", "NIO", "other")]),
    ("libc (syscall wrappers, memcpy, ...)", [(o, "libc") for o in ("HAProxy", "hactl", "NIO", "other")]),
    ("other", [("other", "code"), ("other", "reference counting")]),
]


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    a = attribute(sys.argv[1], "haproxy")
    b = attribute(sys.argv[3], None)
    a_us, b_us = float(sys.argv[2]), float(sys.argv[4])
    a_total, b_total = sum(a.values()) or 1, sum(b.values()) or 1
    print("| CPU per request, µs (share of the profile) | HAProxy | hactl |")
    print("|---|---:|---:|")
    for label, keys in ROWS:
        sa, sb = sum(a[k] for k in keys), sum(b[k] for k in keys)
        if sa == 0 and sb == 0:
            continue
        cell = lambda s, total, us: "-" if s == 0 else f"{us * s / total:.2f} ({100 * s / total:.0f} %)"
        print(f"| {label} | {cell(sa, a_total, a_us)} | {cell(sb, b_total, b_us)} |")
    print(f"| samples | {a_total} | {b_total} |")


if __name__ == "__main__":
    main()
