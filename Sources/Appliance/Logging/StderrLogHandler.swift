public import Logging
import Synchronization
import Systemd

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// hactl's swift-log handler: one `LogLineFormat` line per event on stderr, written with a
/// single write(2) under a process-wide lock so lines from different threads never interleave.
///
/// When stderr is the journal's stream (`LogStyle.journal`), each event goes to the journal
/// itself through sd_journal_sendv(3) with structured fields (`JournalEntry+LogEvent`), from
/// `JournalQueue.shared` (a blocking send must not hold a thread of the cooperative pool), and
/// only falls back to the stderr line when no journald listens or it refuses the entry.
///
/// Install it once with `StderrLogHandler.bootstrap(level:)` (`LoggingSystem.bootstrap`).
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    private let component: String
    private let format: LogLineFormat
    private let sink: LogSink
    /// Send each event to the journal (sd_journal_sendv) rather than as a stderr line.
    private let journal: Bool

    public init(
        component: String,
        format: LogLineFormat,
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil,
        sink: LogSink = .standardError,
        journal: Bool = false
    ) {
        self.component = component
        self.format = format
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.sink = sink
        self.journal = journal
    }

    /// Bootstraps swift-log with this handler for every logger of the process, choosing the
    /// style from the environment (`LogStyle.detect`); under the journal, events go through
    /// sd_journal_sendv with their fields.
    public static func bootstrap(level: Logger.Level, environment: [String: String]) {
        let format = LogLineFormat(style: LogStyle.detect(journalStream: environment["JOURNAL_STREAM"]))
        let journal = format.style == .journal
        LoggingSystem.bootstrap({ label, provider in
            StderrLogHandler(component: label, format: format, logLevel: level, metadataProvider: provider, journal: journal)
        }, metadataProvider: nil)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let own = event.metadata {
            merged.merge(own) { _, new in new }
        }
        if let error = event.error {
            merged["error"] = .string("\(error)")
        }
        let message = event.message.description
        if journal {
            let entry = JournalEntry(level: event.level, component: component, message: message, metadata: merged)
            let (format, sink, component, level, metadata) = (format, sink, component, event.level, merged)
            let admission = JournalQueue.shared.submit(entry) {
                Self.write(format: format, level: level, component: component, message: message, metadata: metadata, to: sink)
            }
            // Dropped: counted, and reported in the journal ahead of the next entry.
            guard admission == .noJournal else { return }
        }
        Self.write(format: format, level: event.level, component: component, message: message, metadata: merged, to: sink)
    }

    /// Waits (at most `timeout`) until the journal entries queued so far are sent: before exiting.
    public static func flush(timeout: Duration = .seconds(1)) {
        JournalQueue.shared.flush(timeout: timeout)
    }

    private static func write(format: LogLineFormat, level: Logger.Level, component: String, message: String,
                              metadata: Logger.Metadata, to sink: LogSink) {
        let timestamp = format.style == .plain ? WallClock.timestamp() : ""
        let line = format.line(level: level, component: component, message: message, metadata: metadata, timestamp: timestamp)
        sink.write(line + "\n")
    }
}

/// Where `StderrLogHandler` lines go: stderr in production, a buffer in tests.
public struct LogSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    public init(_ writeLine: @escaping @Sendable (String) -> Void) {
        self.writeLine = writeLine
    }

    public func write(_ line: String) { writeLine(line) }

    private static let lock = Mutex(())

    /// File descriptor 2, one write(2) per line under a process-wide lock.
    public static let standardError = LogSink { line in
        lock.withLock { _ in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { buffer in
                    writeStandardError(buffer.baseAddress! + offset, buffer.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // stderr is gone: there is nowhere left to report it
                }
                offset += written
            }
            bytes.removeAll()
        }
    }
}

/// write(2) on descriptor 2 (named apart from `LogSink.write`).
private func writeStandardError(_ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(2, pointer, count)
    #elseif canImport(Musl)
    Musl.write(2, pointer, count)
    #else
    Darwin.write(2, pointer, count)
    #endif
}

/// The wall-clock timestamp of `.plain` lines: `2026-11-23T10:52:01.123Z` (UTC, RFC 3339).
enum WallClock {
    /// Now as Unix milliseconds (for `hactl status`; logic reads injected clocks).
    static func unixMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let milliseconds = Int(spec.tv_nsec) / 1_000_000
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + ".\(pad(Int32(milliseconds), 3))Z"
    }
}
