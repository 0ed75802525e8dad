import Dispatch
import Synchronization
import Systemd
import Testing

/// `JournalQueue`: entries leave from a serial queue of their own, bounded; what the bound drops
/// is counted and reported in the journal, never silently lost. The send is the test's: it
/// blocks on a gate the way sd_journal_sendv blocks when journald stops reading.
@Suite struct JournalQueueTests {
    /// A journald that reads only when the gate is opened, and remembers what it read.
    final class StalledJournal: Sendable {
        let gate = DispatchSemaphore(value: 0)
        let read = Mutex<[JournalEntry]>([])
        let refusing: Bool

        init(refusing: Bool = false) { self.refusing = refusing }

        func queue(limit: Int) -> JournalQueue {
            JournalQueue(label: "test.journal", limit: limit, send: { entry in
                self.gate.wait()
                self.read.withLock { $0.append(entry) }
                return !self.refusing
            }, journalExists: { true })
        }

        func open() { for _ in 0..<16 { gate.signal() } }

        var messages: [String] {
            read.withLock { $0.map { entry in entry.fields.first { $0.name == "MESSAGE" }?.value ?? "" } }
        }
    }

    static func entry(_ message: String) -> JournalEntry {
        var entry = JournalEntry()
        entry.append("MESSAGE", message)
        return entry
    }

    @Test func test_stalledJournal_entriesPastTheLimitAreDroppedAndCounted() {
        let journal = StalledJournal()
        let queue = journal.queue(limit: 2)
        let admissions = ["a", "b", "c", "d"].map { queue.submit(Self.entry($0)) {} }
        #expect(admissions == [.queued, .queued, .dropped, .dropped])
        #expect(queue.dropped == 2)
        journal.open()
        queue.flush(timeout: .seconds(10))
        #expect(journal.messages == ["a", "b"])
    }

    @Test func test_afterDrops_theNextEntryIsPrecededByAWarningWithTheCount() {
        let journal = StalledJournal()
        let queue = journal.queue(limit: 1)
        _ = ["a", "b", "c"].map { queue.submit(Self.entry($0)) {} }
        journal.open()
        queue.flush(timeout: .seconds(10))
        #expect(queue.submit(Self.entry("d")) {} == .queued)
        queue.flush(timeout: .seconds(10))
        #expect(journal.messages == ["a", "journal: 2 log entries dropped: journald did not keep up", "d"])
        let report = journal.read.withLock { $0[1] }
        #expect(report.fields.contains { $0.name == "HACTL_DROPPED" && $0.value == "2" })
        #expect(report.fields.contains { $0.name == "PRIORITY" && $0.value == "4" })
    }

    @Test func test_refusedEntry_runsTheFallbackInOrder() {
        let journal = StalledJournal(refusing: true)
        let queue = journal.queue(limit: 4)
        let fallbacks = Mutex<[String]>([])
        for message in ["a", "b"] {
            _ = queue.submit(Self.entry(message)) { fallbacks.withLock { $0.append(message) } }
        }
        journal.open()
        queue.flush(timeout: .seconds(10))
        #expect(fallbacks.withLock { $0 } == ["a", "b"])
    }

    @Test func test_noJournald_isReportedToTheCaller_notQueued() {
        let queue = JournalQueue(label: "test.journal", limit: 4, send: { _ in true }, journalExists: { false })
        #expect(queue.submit(Self.entry("a")) {} == .noJournal)
        #expect(queue.dropped == 0)
    }
}
