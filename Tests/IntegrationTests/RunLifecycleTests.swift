import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hactl run` as systemd sees it: the real binary, a test-owned NOTIFY_SOCKET, signals by pid.
@Suite(.serialized) struct RunLifecycleTests {
    static let timeout: Duration = .seconds(20)

    func writeConfiguration(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ha-run-\(UUID().uuidString.prefix(8)).conf").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func test_run_sendsReadyThenStoppingOnSigterm_andExitsZero() async throws {
        let notify = try RunNotifySocket()
        let file = try writeConfiguration(RunConfigurations.loopbackProxy)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", file], environment: ["NOTIFY_SOCKET": notify.path])
        let ready = notify.waitFor("READY=1", timeout: Self.timeout)
        #expect(ready, "no READY=1; stderr: \(hactl.standardError)")
        #expect(!notify.received.contains("STOPPING=1"))
        hactl.signal(SIGTERM)
        let stopping = notify.waitFor("STOPPING=1", timeout: Self.timeout)
        #expect(stopping, "no STOPPING=1 after SIGTERM; stderr: \(hactl.standardError)")
        let status = await hactl.waitForExit(timeout: Self.timeout)
        #expect(status == 0, "stderr: \(hactl.standardError)")
        let ready1 = notify.received.firstIndex(of: "READY=1")
        let stopping1 = notify.received.firstIndex(of: "STOPPING=1")
        #expect(ready1 != nil && stopping1 != nil && ready1! < stopping1!)
        #expect(notify.received.contains { $0.hasPrefix("STATUS=") })
        await hactl.stop()
    }

    @Test func test_run_writesThePidfile_removesItAtExit_andNamesSettingsItDoesNotApply() async throws {
        let notify = try RunNotifySocket()
        let pidPath = FileManager.default.temporaryDirectory.appendingPathComponent("ha-run-\(UUID().uuidString.prefix(8)).pid").path
        let text = RunConfigurations.loopbackProxy.replacingOccurrences(
            of: "global\n    maxconn 100\n", with: "global\n    maxconn 100\n    pidfile \(pidPath)\n    daemon\n")
        #expect(text.contains("pidfile"))
        let file = try writeConfiguration(text)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", file], environment: ["NOTIFY_SOCKET": notify.path])
        #expect(notify.waitFor("READY=1", timeout: Self.timeout), "stderr: \(hactl.standardError)")
        let written = (try? String(contentsOfFile: pidPath, encoding: .utf8)) ?? ""
        #expect(written == "\(hactl.pid)\n")
        #expect(hactl.standardError.contains("setting not applied") && hactl.standardError.contains("keyword=daemon"), "stderr: \(hactl.standardError)")
        hactl.signal(SIGTERM)
        #expect(await hactl.waitForExit(timeout: Self.timeout) == 0)
        #expect(!FileManager.default.fileExists(atPath: pidPath), "the pidfile is removed at exit")
        await hactl.stop()
    }

    @Test func test_run_withWatchdogUsec_pingsWatchdogRepeatedly() async throws {
        let notify = try RunNotifySocket()
        let file = try writeConfiguration(RunConfigurations.loopbackProxy)
        defer { try? FileManager.default.removeItem(atPath: file) }
        // WatchdogSec=0.2 s: hactl must ping every 100 ms; three pings prove it repeats.
        let hactl = try RunHactlProcess(
            arguments: ["run", "--role", "master", "-f", file],
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"]
        )
        #expect(notify.waitFor("WATCHDOG=1", occurrences: 3, timeout: Self.timeout), "stderr: \(hactl.standardError)")
        hactl.signal(SIGTERM)
        #expect(await hactl.waitForExit(timeout: Self.timeout) == 0)
        await hactl.stop()
    }

    @Test func test_run_withBadConfiguration_exitsOne_printsErrors_sendsNoReady() async throws {
        let notify = try RunNotifySocket()
        let file = try writeConfiguration(RunConfigurations.misspelt)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "backup", "-f", file], environment: ["NOTIFY_SOCKET": notify.path])
        let status = await hactl.waitForExit(timeout: Self.timeout)
        #expect(status == 1)
        let stderr = hactl.standardError
        #expect(stderr.contains("\(file):"), "errors must name the file: \(stderr)")
        #expect(stderr.contains("error"))
        #expect(!notify.waitFor("READY=1", timeout: .milliseconds(50)), "the process has exited: anything it sent is already queued")
        await hactl.stop()
    }

    @Test func test_run_sighupWithBadFile_keepsRunningAndReportsTheErrors() async throws {
        let notify = try RunNotifySocket()
        let file = try writeConfiguration(RunConfigurations.loopbackProxy)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", file], environment: ["NOTIFY_SOCKET": notify.path])
        #expect(notify.waitFor("READY=1", timeout: Self.timeout), "stderr: \(hactl.standardError)")
        try RunConfigurations.misspelt.write(toFile: file, atomically: true, encoding: .utf8)
        hactl.signal(SIGHUP)
        #expect(notify.waitFor("RELOADING=1", timeout: Self.timeout))
        #expect(notify.waitFor("READY=1", occurrences: 2, timeout: Self.timeout), "READY=1 must follow RELOADING=1")
        #expect(hactl.process.isRunning, "a bad reload must not stop hactl")
        hactl.signal(SIGTERM)
        #expect(await hactl.waitForExit(timeout: Self.timeout) == 0)
        #expect(hactl.standardError.contains("reload refused"), "stderr: \(hactl.standardError)")
        await hactl.stop()
    }
}

/// Configurations the run tests start hactl with.
enum RunConfigurations {
    /// No VRRP instance, one proxy frontend on loopback, on a port of its own per call (other
    /// suites on this machine bind loopback ports too).
    static var loopbackProxy: String { loopbackProxy(port: runFreeLoopbackPort()) }

    /// The same on `port` (the server, `port + 1`, does not listen: requests get 503).
    static func loopbackProxy(port: Int, maxconn: Int = 100) -> String {
        """
        global
            maxconn \(maxconn)

        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s

        frontend web
            bind 127.0.0.1:\(port)
            default_backend app

        backend app
            server app1 127.0.0.1:\(port + 1)

        """
    }

    /// A keyword misspelt: `hactl check` and `hactl run` must refuse it with its line.
    static let misspelt = """
        global
            maxconn 100

        frontend web
            bindd 127.0.0.1:18081

        """
}
