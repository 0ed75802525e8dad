#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Proxy

/// The header each `log ... format F` writes (configuration manual §3.1), built without a socket
/// from a fixed instant; the wire comparison with HAProxy is SyslogFramingDifferentialTests.
@Suite struct SyslogHeaderTests {
    /// 2026-12-01 09:05:07 UTC plus 42 µs; dates are checked by shape (the zone is the machine's).
    static let time = SyslogTime(seconds: 1_796_115_907, microseconds: 42)

    static func header(_ format: SyslogFormat, severity: LogSeverity = .info, hostname: String? = nil) -> String {
        var target = LogTarget.syslogUDP(host: "127.0.0.1", port: 514, facility: 16)
        target.format = format
        target.hostname = hostname
        var bytes: [UInt8] = []
        SyslogHeader(target: target, pid: 4242).append(severity: severity, time: time, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: [
        (SyslogFormat.local, #"^<134>[A-Z][a-z]{2} [ 1-3]\d \d\d:05:07 hactl\[4242\]: $"#),
        (.rfc3164, #"^<134>[A-Z][a-z]{2} [ 1-3]\d \d\d:05:07 localhost hactl\[4242\]: $"#),
        (.rfc5424, #"^<134>1 \d{4}-\d\d-\d\dT\d\d:05:07\.000042[+-]\d\d:\d\d - hactl 4242 - - $"#),
        (.priority, #"^<134>$"#),
        (.short, #"^<6>$"#),
        (.timed, #"^<6>\d{4}-\d\d-\d\dT\d\d:05:07\.000042[+-]\d\d:\d\d $"#),
        (.iso, #"^\d{4}-\d\d-\d\dT\d\d:05:07\.000042[+-]\d\d:\d\d $"#),
        (.raw, #"^$"#),
    ])
    func test_header_hasHAProxysShape(_ format: SyslogFormat, _ pattern: String) throws {
        let header = Self.header(format)
        #expect(header.wholeMatch(of: try Regex(pattern)) != nil, "\(format): \(header.debugDescription)")
    }

    @Test func test_sendHostname_appearsInRFC3164AndRFC5424() {
        #expect(Self.header(.rfc3164, hostname: "lb1").hasSuffix(" lb1 hactl[4242]: "))
        #expect(Self.header(.rfc5424, hostname: "lb1").hasSuffix(" lb1 hactl 4242 - - "))
    }

    @Test func test_priority_isFacilityTimesEightPlusSeverity() {
        #expect(Self.header(.priority, severity: .emerg) == "<128>")
        #expect(Self.header(.priority, severity: .debug) == "<135>")
        #expect(Self.header(.short, severity: .err) == "<3>")
    }

    /// `LEVEL` drops less severe messages; `MINLEVEL` lowers more severe ones to itself.
    @Test(arguments: [
        (LogSeverity.debug, LogSeverity?.none, LogSeverity.info, LogSeverity?.some(.info)),
        (.notice, nil, .info, nil),
        (.notice, nil, .alert, .alert),
        (.debug, .err, .emerg, .err),
        (.debug, .err, .info, .info),
        (.info, .debug, .info, .debug),
    ])
    func test_levels_filterAndCap(_ max: LogSeverity, _ min: LogSeverity?, _ sent: LogSeverity, _ expected: LogSeverity?) {
        var target = LogTarget.stdout
        target.maxSeverity = max
        target.minSeverity = min
        #expect(target.effectiveSeverity(sent) == expected)
    }

    @Test func test_len_cutsTheLineThenEndsItWithANewline() throws {
        let receiver = LogReceiver(path: "/tmp/hp-syslog-len-\(getpid()).sock")
        var target = LogTarget.syslogUnixSocket(path: receiver.path, facility: 16)
        target.format = .raw
        target.maxLength = 80
        let sink = LogSink(targets: [target])
        sink.emit(String(repeating: "x", count: 200))
        sink.emit("short")
        #expect(receiver.nextDatagram() == String(repeating: "x", count: 80) + "\n")
        #expect(receiver.nextDatagram() == "short\n")
    }
}

/// HAProxy's server state lines, word for word (the wire comparison is SyslogFramingDifferentialTests).
@Suite struct ServerStateLogLineTests {
    @Test func test_backupServerDown_saysBackupServer_andHAProxysReasonWords() {
        let line = ServerStateLogLine.down(backend: "b", server: "s2", isBackup: true, reason: "Layer4 connection refused", checkMilliseconds: 3,
                                           counts: .init(active: 1, backup: 0), sessionsActive: 2)
        #expect(line == #"Backup Server b/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 3ms. 1 active and 0 backup servers left. 2 sessions active, 0 requeued, 0 remaining in queue."#)
    }

    @Test func test_serverUp_countsServersOnline() {
        let line = ServerStateLogLine.up(backend: "b", server: "s1", isBackup: false, reason: "Layer7 check passed: 200", checkMilliseconds: 1,
                                         counts: .init(active: 2, backup: 1))
        #expect(line == "Server b/s1 is UP, reason: Layer7 check passed: 200, check duration: 1ms. 2 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.")
    }
}
