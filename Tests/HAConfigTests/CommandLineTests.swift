import Foundation
import Testing

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // The outputs are small (a few kB), far below a pipe's buffer: read them after exit.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + 30) == .timedOut {
            process.terminate()
            Issue.record("hactl \(arguments.joined(separator: " ")) did not exit within 30 s")
            _ = exited.wait(timeout: .now() + 5)
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func test_checkOnAValidPair_exitsZeroWithTheSummary() throws {
        guard let result = try run(["check", "-f", Fixture.path("guide.keepalived.conf"), "-f", Fixture.path("guide-layer4.haproxy.cfg")]) else { return }
        #expect(result.status == 0)
        #expect(result.stdout == "configuration valid: 1 frontends, 1 backends, 2 servers, 1 VRRP instances\n")
        #expect(result.stderr.isEmpty)
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

    @Test func test_importWithoutFiles_isAUsageError() throws {
        guard let result = try run(["import"]) else { return }
        #expect(result.status != 0)
        #expect(result.stderr.contains("give --keepalived FILE, --haproxy FILE, or both"))
    }
}
