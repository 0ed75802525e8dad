import Appliance
import HACore
import Logging
import Systemd
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The journal fields of hactl's events (systemd.journal-fields(7)), built from the same
/// `EventLogRecord` the stderr line comes from; the socket path is RunJournalTests.
@Suite struct JournalEntryTests {
    static func fields(_ event: HAEvent) -> [String: String] {
        let record = EventLogRecord(event)
        let entry = JournalEntry(level: record.level, component: record.component, message: record.message, metadata: record.metadata)
        return Dictionary(entry.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func test_vrrpTransition_carriesInstanceStatesAndReason() {
        let fields = Self.fields(.vrrpTransition(instance: "VI_1", from: "BACKUP", to: "FAULT", reason: "interface eth0 down"))
        #expect(fields["PRIORITY"] == "3")
        #expect(fields["SYSLOG_IDENTIFIER"] == "hactl")
        #expect(fields["HACTL_INSTANCE"] == "VI_1")
        #expect(fields["HACTL_PREVIOUS_STATE"] == "BACKUP")
        #expect(fields["HACTL_STATE"] == "FAULT")
        #expect(fields["HACTL_REASON"] == "interface eth0 down")
        #expect(fields["MESSAGE"]?.hasPrefix("vrrp: VRRP_Instance(VI_1) Entering FAULT STATE ") == true)
    }

    @Test func test_serverHealth_namesTheProxyAndTheServer() {
        let fields = Self.fields(.serverHealth(backend: "web", server: "s1", up: false, reason: "Layer4 timeout"))
        #expect(fields["HACTL_PROXY"] == "web")
        #expect(fields["HACTL_SERVER"] == "s1")
        #expect(fields["PRIORITY"] == "4")
    }

    @Test func test_fromWithoutTo_isNotAState() {
        let fields = Self.fields(.vrrpLowerPriorityAdvert(instance: "VI_1", from: "198.18.0.12", priority: 100, ours: 200))
        #expect(fields["HACTL_FROM"] == "198.18.0.12")
        #expect(fields["HACTL_PREVIOUS_STATE"] == nil)
    }

    /// No journald listening (as on these machines): the event is not lost, it is the stderr line.
    @Test(.enabled(if: access("/run/systemd/journal/socket", F_OK) != 0, "a journald listens here"))
    func test_journalRefusingTheEntry_fallsBackToTheStderrLine() {
        let lines = Mutex<[String]>([])
        let handler = StderrLogHandler(component: "vrrp", format: LogLineFormat(style: .journal), sink: LogSink { line in lines.withLock { $0.append(line) } },
                                       journal: true)
        let logger = Logger(label: "vrrp", factory: { _ in handler })
        logger.notice("VRRP_Instance(VI_1) Entering MASTER STATE", metadata: ["instance": "VI_1"])
        #expect(lines.withLock { $0 } == ["<5>vrrp: VRRP_Instance(VI_1) Entering MASTER STATE instance=VI_1\n"])
    }

    @Test(arguments: [("base_priority", "BASE_PRIORITY"), ("smtp-server", "SMTP_SERVER"), ("_x", "X_X"), ("9a", "X9A")])
    func test_fieldNames_areWhatJournaldAccepts(_ key: String, _ name: String) {
        #expect(JournalEntry.fieldName(key) == name)
    }
}
