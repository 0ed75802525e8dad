@testable import Appliance
import HACore
import HAConfig
import Logging
import NIOCore
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct MailAlertPolicyTests {
    func configuration(_ text: String) throws -> Configuration {
        try ConfigurationLoader.parse(text: text, file: "t.conf")
    }

    let vrrp = """
    vrrp_instance VI_1
        interface lo
        virtual_router_id 51
        virtual_ipaddress 198.18.0.51
    """

    @Test func test_vrrpTransition_subjectNamesRouterIDInstanceAndState() {
        let policy = MailAlertPolicy(routerID: "lb1", instances: ["VI_1"], checkerAlerts: false)
        let alert = policy.alert(for: .vrrpTransition(instance: "VI_1", from: "BACKUP", to: "MASTER", reason: "master down timer"))
        #expect(alert?.subject == "[lb1] VRRP Instance VI_1 - Entering MASTER state")
        #expect(alert?.body.contains("was BACKUP") == true && alert?.body.contains("master down timer") == true)
    }

    @Test func test_enteringInit_andInstancesWithoutSmtpAlert_areNotMailed() {
        let policy = MailAlertPolicy(routerID: "lb1", instances: ["VI_1"], checkerAlerts: false)
        #expect(policy.alert(for: .vrrpTransition(instance: "VI_1", from: "BACKUP", to: "INIT", reason: "stop")) == nil)
        #expect(policy.alert(for: .vrrpTransition(instance: "VI_2", from: "BACKUP", to: "MASTER", reason: "x")) == nil)
        #expect(policy.alert(for: .serverHealth(backend: "web", server: "s1", up: false, reason: "refused")) == nil)
    }

    @Test func test_checkerAlerts_mailServerAndProxyChanges() {
        let policy = MailAlertPolicy(routerID: "lb1", instances: [], checkerAlerts: true)
        #expect(policy.alert(for: .serverHealth(backend: "web", server: "s1", up: false, reason: "refused"))?.subject == "[lb1] Server s1 of backend web - DOWN")
        #expect(policy.alert(for: .proxyHealth(up: true, reason: "probe ok"))?.subject == "[lb1] Proxy - UP")
    }

    @Test func test_smtpAlert_perInstance_perSyncGroup_andGlobal() throws {
        let two = vrrp + "\n    smtp_alert\n" + """
        vrrp_instance VI_2
            interface lo
            virtual_router_id 52
            virtual_ipaddress 198.18.0.52
        vrrp_instance VI_3
            interface lo
            virtual_router_id 53
            virtual_ipaddress 198.18.0.53
        vrrp_sync_group G
            group VI_2
            smtp_alert
        """
        let perInstance = MailAlertPolicy(configuration: try configuration(two), hostname: "h")
        #expect(perInstance.instances == ["VI_1", "VI_2"] && !perInstance.checkerAlerts && perInstance.routerID == "h")
        let global = MailAlertPolicy(configuration: try configuration("global\n    smtp_alert\n    router_id lb1\n" + vrrp), hostname: "h")
        #expect(global.instances == ["VI_1"] && global.checkerAlerts && global.routerID == "lb1")
        #expect(MailAlertPolicy(configuration: try configuration(vrrp), hostname: "h").isEmpty)
    }
}

@Suite(.serialized) struct MailAlerterTests {
    let lines = LineCollector()

    func logger() -> Logger {
        let lines = self.lines
        return Logger(label: "mail-alerts") { label in
            StderrLogHandler(component: label, format: LogLineFormat(style: .journal), sink: LogSink { lines.append($0) })
        }
    }

    func settings(port: Int, timeout: TimeAmount = .seconds(5)) -> MailAlerter.Settings {
        MailAlerter.Settings(server: "127.0.0.1:\(port)", from: "lb1@example.com", recipients: ["ops@example.com", "oncall@example.com"],
                             connectTimeout: timeout, heloName: "lb1")
    }

    let policy = MailAlertPolicy(routerID: "lb1", instances: ["VI_1"], checkerAlerts: false)

    /// Returns when `condition` holds or after `deadline` (the caller's #expect then fails).
    func waitUntil(within deadline: Duration = .seconds(10), _ condition: () -> Bool) async {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while !condition(), clock.now < end { await Task.yield() }
    }

    @Test func test_vrrpTransition_sendsExactlyOneMail_toEveryRecipient_withFromAndSubject() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let port = try await sink.start()
        let bus = EventBus()
        let alerter = await MailAlerter(settings: settings(port: port), policy: policy, bus: bus, logger: logger(), date: { "Mon, 30 Nov 2026 23:30:00 +0000" })
        let running = Task { await alerter.run() }
        defer { running.cancel() }

        await bus.publish(.vrrpPacketDropped(instance: "VI_1", reason: "ttl(254)"))  // not an alert
        await bus.publish(.vrrpTransition(instance: "VI_1", from: "BACKUP", to: "MASTER", reason: "master down timer"))

        let event = try await sink.next()
        let mail = try #require(event["mail"] as? [String: Any])
        #expect(mail["helo"] as? String == "lb1")
        #expect(mail["from"] as? String == "<lb1@example.com>")
        #expect(mail["rcpt"] as? [String] == ["<ops@example.com>", "<oncall@example.com>"])
        let data = try #require(mail["data"] as? String)
        #expect(data.contains("\nSubject: [lb1] VRRP Instance VI_1 - Entering MASTER state\n"))
        #expect(data.hasPrefix("From: lb1@example.com\nTo: ops@example.com, oncall@example.com\n"))
        #expect(try await sink.next()["quit"] as? Int == 1)
        await waitUntil { alerter.statistics.sent == 1 }  // counted once the client has read 221
        #expect(alerter.statistics == .init(sent: 1, failed: 0, dropped: 0))
    }

    @Test func test_unreachableServer_isLoggedAndCounted_andAlertsKeepFlowing() async throws {
        // A port nobody listens on: bound, then closed.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(probe)

        let bus = EventBus()
        let alerter = await MailAlerter(settings: settings(port: port, timeout: .seconds(2)), policy: policy, bus: bus, logger: logger())
        let running = Task { await alerter.run() }
        defer { running.cancel() }

        let clock = ContinuousClock()
        let publishStarted = clock.now
        for to in ["MASTER", "BACKUP", "MASTER"] {
            bus.post(.vrrpTransition(instance: "VI_1", from: "X", to: to, reason: "test"))
        }
        #expect(clock.now - publishStarted < .milliseconds(100))  // posting never waits for SMTP

        await waitUntil { alerter.statistics.failed == 3 }
        #expect(alerter.statistics.failed == 3 && alerter.statistics.sent == 0)
        #expect(lines.all.contains { $0.contains("mail alerts not sent: SMTP server unreachable") && $0.contains("127.0.0.1:\(port)") })
    }
}

@Suite struct MailAlerterStartTests {
    let lines = LineCollector()

    func logger() -> Logger {
        let lines = self.lines
        return Logger(label: "appliance") { label in
            StderrLogHandler(component: label, format: LogLineFormat(style: .journal), sink: LogSink { lines.append($0) })
        }
    }

    func configuration(_ global: String) throws -> Configuration {
        try ConfigurationLoader.parse(text: "global\n" + global + """
        vrrp_instance VI_1
            interface lo
            virtual_router_id 51
            virtual_ipaddress 198.18.0.51
        """, file: "t.conf")
    }

    @Test func test_smtpAlertWithoutSmtpServer_startsNothing_andSaysWhy() async throws {
        let alerter = await MailAlerter.configured(for: try configuration("    smtp_alert\n"), bus: EventBus(), logger: logger())
        #expect(alerter == nil)
        #expect(lines.all.contains { $0.contains("smtp_alert set but no mail is sent") })
    }

    @Test func test_smtpServerRecipientsAndSmtpAlert_startTheAlerter() async throws {
        let global = "    smtp_alert\n    smtp_server 127.0.0.1 2525\n    notification_email ops@example.com\n"
        #expect(await MailAlerter.configured(for: try configuration(global), bus: EventBus(), logger: logger()) != nil)
    }
}
