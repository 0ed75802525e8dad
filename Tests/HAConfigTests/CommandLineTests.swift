import Foundation
import Testing
import TestSupport

/// `hactl check` and `hactl import` as an operator runs them: exit status, stdout, stderr.
/// (`hactl check` also asks the proxy whether it can honour the configuration, as `hactl run`
/// does, so these use fixtures without TLS or UDP syslog.)
/// Runs the built binary ($HACTL_BINARY, or the one next to this test bundle).
@Suite struct CommandLineTests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["HACTL_BINARY"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let candidate = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("hactl").path
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    private func run(_ arguments: [String]) throws -> Result? {
        guard let binary = Self.binary else {
            print("skipped: hactl binary not built")
            return nil
        }
        return try Self.runTool(binary, arguments)
    }

    /// Runs `tool` to its end, bounded: a hung tool fails its test within 30 s.
    static func runTool(_ tool: String, _ arguments: [String]) throws -> Result {
        let run = try ChildProcess.run(tool, arguments, timeout: .seconds(30))
        return Result(status: run.termination.status, stdout: run.standardOutput, stderr: run.standardError)
    }

    @Test func test_checkOnAValidPair_exitsZeroWithTheSummary() throws {
        guard let result = try run(["check", "-f", Fixture.path("guide.keepalived.conf"), "-f", Fixture.path("guide-layer4.haproxy.cfg")]) else { return }
        #expect(result.status == 0)
        #expect(result.stdout == "configuration valid: 1 frontends, 1 backends, 2 servers, 1 VRRP instances\n")
        #expect(result.stderr.isEmpty)
    }

    /// The example shipped in appliance/ for the seeds' two-node scenario is valid as written.
    @Test func test_checkOnTheApplianceExample_exitsZero() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard let result = try run(["check", "-f", root.appendingPathComponent("appliance/hactl.conf").path]) else { return }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "configuration valid: 1 frontends, 1 backends, 2 servers, 1 VRRP instances\n")
    }

    /// appliance/hactl.service as systemd reads it (with ExecStart pointing at the built binary).
    @Test func test_applianceUnit_passesSystemdAnalyzeVerify() throws {
        let analyze = "/usr/bin/systemd-analyze"
        guard let binary = Self.binary, FileManager.default.isExecutableFile(atPath: analyze) else {
            print("skipped: needs systemd-analyze and the built binary")
            return
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let unit = try String(contentsOf: root.appendingPathComponent("appliance/hactl.service"), encoding: .utf8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hactl-unit-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("hactl.service").path
        try unit.replacingOccurrences(of: "/usr/local/bin/hactl", with: binary).write(toFile: path, atomically: true, encoding: .utf8)
        let result = try Self.runTool(analyze, ["verify", path])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    }

    /// appliance/hactl.nft parses as nftables reads it (checked, not loaded).
    @Test func test_applianceNftablesSnippet_passesNftCheck() throws {
        let nft = "/usr/sbin/nft"
        guard FileManager.default.isExecutableFile(atPath: nft) else {
            print("skipped: needs nft (scripts/bootstrap installs nftables)")
            return
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try Self.runTool(nft, ["-c", "-f", root.appendingPathComponent("appliance/hactl.nft").path])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// A warning does not fail the check; it is printed on stderr at its line.
    @Test func test_checkOnAFileWithARuleOrderWarning_exitsZeroAndPrintsTheWarning() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hactl-check-warn-\(getpid()).cfg").path
        try """
        frontend f
            mode http
            bind 127.0.0.1:8080
            redirect location /elsewhere if { path /ord }
            http-request deny if { path /ord }
            default_backend b
        backend b
            mode http
            server s 127.0.0.1:8081
        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let result = try run(["check", "-f", path]) else { return }
        #expect(result.status == 0)
        #expect(result.stderr.hasPrefix("\(path):5:5: warning: 'http-request': this rule is evaluated before the 'redirect' at line 4"), "\(result.stderr)")
    }

    @Test func test_checkOnABadFile_exitsOneWithEveryErrorOnStderr() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hactl-check-\(getpid()).conf").path
        try "backend web\n    balanse roundrobin\n    server s1 198.18.0.1:99999\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let result = try run(["check", "-f", path]) else { return }
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
        \(path):2:5: error: 'balanse': unknown keyword in 'backend' section (did you mean 'balance'?)
        \(path):3:15: error: 'server': expected a port from 1 to 65535, got '99999'

        """)
    }

    /// What `hactl run` would refuse, `hactl check` refuses first: everything the VRRP engine cannot run, in every instance.
    @Test func test_checkOnInstancesTheEngineCannotRun_exitsOneNamingEveryRefusalOfEveryInstance() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hactl-check-vrrp-\(getpid()).conf").path
        try """
            vrrp_instance VI_1
                interface eth0
                virtual_router_id 51
                virtual_ipaddress 198.18.0.100/24
                authentication AH 1234
                notify_backup "/usr/local/bin/backup.sh" nobody

            vrrp_instance VI_2
                interface eth0
                virtual_router_id 52
                virtual_ipaddress 198.18.0.101/24
                notify_master "/usr/local/bin/master.sh" nobody

            """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let result = try run(["check", "-f", path]) else { return }
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            \(path):5:5: error: vrrp_instance 'VI_1': auth_type AH is not supported by hactl; use PASS or none
            \(path):6:5: error: vrrp_instance 'VI_1': notify scripts as user nobody are not supported by hactl; they run as hactl's own user
            \(path):12:5: error: vrrp_instance 'VI_2': notify scripts as user nobody are not supported by hactl; they run as hactl's own user

            """)
    }

    @Test func test_import_printsHactlConfThatChecksClean() throws {
        guard let result = try run(["import", "--keepalived", Fixture.path("ol7-nat-master.keepalived.conf"), "--haproxy", Fixture.path("guide-layer4.haproxy.cfg")]) else { return }
        #expect(result.status == 0)
        #expect(result.stdout.contains("vrrp_instance external\n"))
        #expect(result.stdout.contains("listen vs_198.18.1.1_80\n"))
        #expect(result.stdout.contains("frontend main\n"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hactl-import-\(getpid()).conf").path
        try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let check = try run(["check", "-f", path]) else { return }
        #expect(check.status == 0)
        #expect(check.stdout == "configuration valid: 2 frontends, 2 backends, 4 servers, 2 VRRP instances\n")
    }

    @Test func test_importOfDirectRouting_exitsOneNamingTheLine() throws {
        guard let result = try run(["import", "--keepalived", Fixture.path("dr-mode-master.keepalived.conf")]) else { return }
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("dr-mode-master.keepalived.conf:32:5: error: 'lb_kind DR'"))
    }

    @Test func test_importOfBothNodesFiles_printsOneFileWithoutStateOrPriorityAndRecordsThem() throws {
        let (master, backup) = (Fixture.path("ol7-nat-master.keepalived.conf"), Fixture.path("ol7-nat-backup.keepalived.conf"))
        guard let result = try run(["import", "--keepalived", master, "--keepalived", backup, "--haproxy", Fixture.path("guide-layer4.haproxy.cfg")]) else { return }
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(!result.stdout.contains("    state "))
        #expect(!result.stdout.contains("    priority "))
        #expect(result.stdout.contains("vrrp_instance external\n    # imported: \(master) state MASTER priority 200; \(backup) state BACKUP priority 100\n"))
        // The nodes' notification_email_from differ: neither is kept, both are recorded.
        #expect(result.stdout.contains("    # imported: \(master) notification_email_from svr1@mydomain.com; \(backup) notification_email_from svr2@mydomain.com\n"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hactl-import-pair-\(getpid()).conf").path
        try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let check = try run(["check", "-f", path]) else { return }
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test func test_importOfOneNodesFile_leavesOutStateAndPriorityAndSaysSoOnStderr() throws {
        let master = Fixture.path("ol7-nat-master.keepalived.conf")
        guard let result = try run(["import", "--keepalived", master]) else { return }
        #expect(result.status == 0)
        #expect(!result.stdout.contains("    state "))
        #expect(!result.stdout.contains("    priority "))
        #expect(result.stderr.contains("\(master):20:5: note: 'state MASTER' of vrrp_instance external is left out: 'hactl run --role master|backup' decides it now (master 250, backup 240)\n"))
        #expect(result.stderr.contains("\(master):23:5: note: 'priority 200' of vrrp_instance external is left out"))
        #expect(result.stderr.contains("note: only one node's keepalived.conf was given"))
    }

    @Test func test_importOfNodesFilesThatDisagree_exitsOneNamingBothLinesAndPrintsNothing() throws {
        let directory = FileManager.default.temporaryDirectory
        let (lb1, lb2) = (directory.appendingPathComponent("hactl-lb1-\(getpid()).conf").path, directory.appendingPathComponent("hactl-lb2-\(getpid()).conf").path)
        let text = { (state: String, priority: Int, routerID: Int) in
            "vrrp_instance VI_1 {\n    state \(state)\n    interface eth0\n    virtual_router_id \(routerID)\n    priority \(priority)\n    virtual_ipaddress {\n        198.18.0.100/24\n    }\n}\n"
        }
        try text("MASTER", 200, 51).write(toFile: lb1, atomically: true, encoding: .utf8)
        try text("BACKUP", 100, 52).write(toFile: lb2, atomically: true, encoding: .utf8)
        defer { for path in [lb1, lb2] { try? FileManager.default.removeItem(atPath: path) } }
        guard let result = try run(["import", "--keepalived", lb1, "--keepalived", lb2]) else { return }
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("\(lb2):4:5: error: 'virtual_router_id': vrrp_instance VI_1: 'virtual_router_id 52' here, but 'virtual_router_id 51' at \(lb1):4:5; "), "\(result.stderr)")
    }

    @Test func test_importWithoutFiles_isAUsageError() throws {
        guard let result = try run(["import"]) else { return }
        #expect(result.status != 0)
        #expect(result.stderr.contains("give --keepalived FILE, --haproxy FILE, or both"))
    }
}
