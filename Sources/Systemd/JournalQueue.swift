/// Journal entries on their way to journald: sd_journal_sendv(3) is a blocking `sendmsg`, so
/// entries leave from a `SendQueue` of their own, as sd_notify's do (`ServiceNotifier`), in
/// order and bounded. An entry dropped because journald did not keep up is counted (`dropped`)
/// and reported by a warning entry sent ahead of the next one that gets through, with the count
/// in `HACTL_DROPPED=`.
public struct JournalQueue: Sendable {
    /// Whether an entry was queued, and what the caller does when it was not.
    public enum Admission: Sendable, Equatable {
        /// On its way: the caller has nothing more to do.
        case queued
        /// `limit` entries were already waiting: counted, and reported later in the journal.
        case dropped
        /// No journald listens (outside systemd): the caller writes the line elsewhere.
        case noJournal
    }

    /// The process's queue, used by the log handler under the journal (`LogStyle.journal`).
    public static let shared = JournalQueue(label: "hactl.journal", limit: 1024)

    private let queue: SendQueue
    private let send: @Sendable (JournalEntry) -> Bool
    private let journalExists: @Sendable () -> Bool

    /// `send` delivers one entry (sd_journal_sendv by default) and returns whether it was
    /// accepted; `journalExists` says whether journald's socket is there.
    public init(
        label: String,
        limit: Int,
        send: @escaping @Sendable (JournalEntry) -> Bool = { $0.send() },
        journalExists: @escaping @Sendable () -> Bool = { JournalEntry.journaldListens }
    ) {
        self.queue = SendQueue(label: label, limit: limit)
        self.send = send
        self.journalExists = journalExists
    }

    /// Queues `entry`; `refused` runs on the queue if journald refuses it then, so that the line
    /// can still be written elsewhere.
    public func submit(_ entry: JournalEntry, refused: @escaping @Sendable () -> Void) -> Admission {
        // Asked here, not on the queue: libsystemd reports success when no journald listens.
        guard journalExists() else { return .noJournal }
        let send = self.send
        let admitted = queue.submit { droppedBefore in
            if droppedBefore > 0 { _ = send(Self.dropReport(droppedBefore)) }
            if !send(entry) { refused() }
        }
        return admitted ? .queued : .dropped
    }

    /// Entries dropped since the queue was made.
    public var dropped: Int { queue.dropped }

    /// Waits (at most `timeout`) until every queued entry has been sent: before the process exits.
    public func flush(timeout: Duration = .seconds(1)) {
        queue.flush(timeout: timeout)
    }

    /// The warning that `count` entries were dropped just before the one it precedes.
    static func dropReport(_ count: Int) -> JournalEntry {
        var entry = JournalEntry()
        entry.append("MESSAGE", "journal: \(count) log entries dropped: journald did not keep up")
        entry.append("PRIORITY", "4")
        entry.append("SYSLOG_IDENTIFIER", "hactl")
        entry.append("HACTL_COMPONENT", "journal")
        entry.append("HACTL_DROPPED", String(count))
        return entry
    }
}
