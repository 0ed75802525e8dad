#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which of the two line styles `LogLineFormat` writes (see there for the why).
public enum LogStyle: Sendable, Hashable {
    /// `<6>component: ...` for journald.
    case journal
    /// `2026-11-23T10:52:01.123Z info component: ...` for terminals, pipes and files.
    case plain

    /// `.journal` when stderr is the very stream journald gave us: systemd sets
    /// `JOURNAL_STREAM=<device>:<inode>` for a service whose stdout/stderr go to the journal,
    /// and the documented check (systemd.exec(5), "JOURNAL_STREAM") is to compare that pair
    /// with fstat(2) of the descriptor. Anything else (a TTY, `2>file`, a test's pipe) is `.plain`.
    public static func detect(journalStream: String?, fileDescriptor: Int32 = 2) -> LogStyle {
        guard let journalStream, let expected = parse(journalStream) else { return .plain }
        var status = stat()
        guard fstat(fileDescriptor, &status) == 0 else { return .plain }
        return UInt64(status.st_dev) == expected.device && UInt64(status.st_ino) == expected.inode ? .journal : .plain
    }

    /// Parses `JOURNAL_STREAM`'s `device:inode`.
    static func parse(_ journalStream: String) -> (device: UInt64, inode: UInt64)? {
        let parts = journalStream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        return (device, inode)
    }
}
