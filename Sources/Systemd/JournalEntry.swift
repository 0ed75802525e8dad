import CSystemd
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One structured journal entry sent with sd_journal_sendv(3): `MESSAGE=`, `PRIORITY=`,
/// `SYSLOG_IDENTIFIER=` and fields of our own such as `HACTL_INSTANCE=` (systemd.journal-fields(7):
/// names are upper-case letters, digits and `_`, not starting with `_`, at most 64 characters).
///
/// libsystemd writes to `/run/systemd/journal/socket` in journald's native protocol; a value
/// holding a newline goes in its binary length form, and a large entry through a memfd.
public struct JournalEntry: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    /// Appends `NAME=value`; a name journald would refuse is made valid (see `fieldName`).
    public mutating func append(_ name: String, _ value: String) {
        fields.append((Self.fieldName(name), value))
    }

    /// `name` upper-cased with every character outside `A-Z0-9_` replaced by `_`, a leading
    /// `_` or digit prefixed with `X`, cut to 64 characters.
    public static func fieldName(_ name: String) -> String {
        var result = String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
        if let first = result.first, first == "_" || first.isNumber { result = "X" + result }
        if result.isEmpty { result = "X" }
        return String(result.prefix(64))
    }

    /// Sends the entry to the journal; returns whether libsystemd accepted it (false when no
    /// journald socket exists, e.g. outside systemd). Blocks while journald does not read: from
    /// the process, entries go through `JournalQueue`, never from a task.
    @discardableResult
    public func send() -> Bool {
        // libsystemd reports success when no journald listens (ENOENT is silenced): ask first, so
        // the caller can write the line elsewhere instead of losing it.
        guard Self.journaldListens else { return false }
        // All fields in one buffer, so every iovec points into memory valid for the whole call.
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: field.value.utf8)
            ranges.append(start..<buffer.count)
        }
        return buffer.withUnsafeMutableBytes { bytes -> Bool in
            guard let base = bytes.baseAddress else { return false }
            let vectors = ranges.map { iovec(iov_base: base + $0.lowerBound, iov_len: $0.count) }
            return sd_journal_sendv(vectors, Int32(vectors.count)) >= 0
        }
    }

    /// Where journald reads native-protocol entries (sd_journal_sendv writes there).
    public static let socketPath = "/run/systemd/journal/socket"

    /// Whether journald's socket exists (outside systemd it does not).
    public static var journaldListens: Bool { access(socketPath, F_OK) == 0 }

    public static func == (a: JournalEntry, b: JournalEntry) -> Bool {
        a.fields.map(\.name) == b.fields.map(\.name) && a.fields.map(\.value) == b.fields.map(\.value)
    }
}
