import Appliance
import HACore
import Logging
import Testing

@Suite struct EventLogRecordTests {
    @Test func test_vrrpTransition_isOneNoticeInKeepalivedsWords_withItsFieldsAsMetadata() {
        let record = EventLogRecord(.vrrpTransition(instance: "VI_1", from: "BACKUP", to: "MASTER", reason: "master_down"))
        #expect(record == EventLogRecord(
            component: "vrrp", level: .notice, message: "VRRP_Instance(VI_1) Entering MASTER STATE",
            metadata: ["instance": "VI_1", "from": "BACKUP", "to": "MASTER", "reason": "master_down"]
        ))
    }

    /// keepalived's journal lines that existing alerts grep for, one per state.
    @Test(arguments: [("MASTER", "VRRP_Instance(VI_1) Entering MASTER STATE"), ("BACKUP", "VRRP_Instance(VI_1) Entering BACKUP STATE"),
                      ("FAULT", "VRRP_Instance(VI_1) Entering FAULT STATE")])
    func test_vrrpTransition_messageIsKeepalivedsLine(to: String, line: String) {
        #expect(EventLogRecord(.vrrpTransition(instance: "VI_1", from: "INIT", to: to, reason: "x")).message == line)
    }

    @Test func test_lowerPriorityAdvert_isLoggedInKeepalivedsWords_withSenderAndPriorities() {
        #expect(EventLogRecord(.vrrpLowerPriorityAdvert(instance: "VI_1", from: "198.18.0.2", priority: 50, ours: 100)) == EventLogRecord(
            component: "vrrp", level: .notice, message: "VRRP_Instance(VI_1) received lower priority advert",
            metadata: ["instance": "VI_1", "from": "198.18.0.2", "priority": "50", "ours": "100"]
        ))
    }

    static func trackerChange(_ effect: TrackerChange.Effect, priority: Int = 240) -> TrackerChange {
        TrackerChange(
            instance: "VI_1", tracker: "track_file w", reason: "/run/w holds 1", effect: effect, basePriority: 250,
            priority: priority,
            terms: [.init(tracker: "track_file w", value: "-10"), .init(tracker: "track_script chk", value: "0")])
    }

    @Test func test_trackerLoweringThePriority_isAWarningSayingSo_withPriorityBaseAndTerms() {
        #expect(EventLogRecord(.trackerChanged(Self.trackerChange(.lowersPriority))) == EventLogRecord(
            component: "vrrp", level: .warning, message: "tracker lowers priority",
            metadata: [
                "instance": "VI_1", "tracker": "track_file w", "reason": "/run/w holds 1", "priority": "240",
                "base_priority": "250", "terms": "track_file w=-10, track_script chk=0",
            ]
        ))
    }

    @Test func test_trackerMessages_sayWhatTheChangeDid_neverUpForALoweredPriority() {
        func message(_ effect: TrackerChange.Effect) -> String { EventLogRecord(.trackerChanged(Self.trackerChange(effect))).message }
        #expect(message(.restoresPriority) == "tracker restores priority")
        #expect(message(.raisesPriority) == "tracker raises priority")
        #expect(message(.fault) == "tracker fault")
        #expect(message(.faultCleared) == "tracker fault cleared")
        #expect(message(.none) == "tracker changed")
        #expect(EventLogRecord(.trackerChanged(Self.trackerChange(.fault))).level == .warning)
        #expect(EventLogRecord(.trackerChanged(Self.trackerChange(.restoresPriority))).level == .notice)
    }

    @Test func test_failures_areLoggedAboveRecoveries() {
        #expect(EventLogRecord(.proxyHealth(up: false, reason: "r")).level == .error)
        #expect(EventLogRecord(.proxyHealth(up: true, reason: "r")).level == .notice)
        #expect(EventLogRecord(.serverHealth(backend: "b", server: "s", up: false, reason: "r")).level == .warning)
        #expect(EventLogRecord(.vrrpTransition(instance: "i", from: "MASTER", to: "FAULT", reason: "r")).level == .error)
    }

    @Test func test_eventLogger_logsEachPublishedEventOnce() async throws {
        let bus = EventBus()
        let lines = LineCollector()
        let task = await Self.runEventLogger(bus: bus, into: lines)
        await bus.publish(.serverHealth(backend: "web", server: "s1", up: false, reason: "L4 refused"))
        await bus.publish(.lifecycle(.stopped))
        await task.value
        #expect(lines.all == [
            "<4>proxy: server down backend=web reason=\"L4 refused\" server=s1\n",
            "<5>appliance: stopped\n",
        ])
    }

    @Test func test_eventLogger_throttlesRepeatedDrops_butLogsOtherEvents() async throws {
        let bus = EventBus()
        let lines = LineCollector()
        let task = await Self.runEventLogger(bus: bus, into: lines)
        for _ in 0..<5 { await bus.publish(.vrrpPacketDropped(instance: "VI_1", reason: "authentication")) }
        await bus.publish(.vrrpPacketDropped(instance: "VI_1", reason: "ttl(254)"))
        await bus.publish(.lifecycle(.stopped))
        await task.value
        #expect(lines.all == [
            "<4>vrrp: advertisement dropped instance=VI_1 reason=authentication\n",
            "<4>vrrp: advertisement dropped instance=VI_1 reason=ttl(254)\n",
            "<5>appliance: stopped\n",
        ])
    }

    /// An `EventLogger` on `bus` writing journal-style lines into `lines`, running until the bus ends.
    static func runEventLogger(bus: EventBus, into lines: LineCollector) async -> Task<Void, Never> {
        let format = LogLineFormat(style: .journal)
        let logger = await EventLogger(bus: bus) { label in
            Logger(label: label) { _ in StderrLogHandler(component: label, format: format, sink: LogSink { lines.append($0) }) }
        }
        return Task { await logger.run() }
    }
}
