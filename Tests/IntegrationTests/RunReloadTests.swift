import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP with a changed proxy configuration: applied without a restart, the new backend
/// answers through the same frontend, and hactl keeps running.
@Suite(.serialized) struct RunReloadTests {
    /// One GET through the proxy; the body, or nil.
    static func get(port: Int) -> String? {
        let curl = try? ChildProcess.run("/usr/bin/env", ["curl", "-s", "--max-time", "2", "http://127.0.0.1:\(port)/"], standardError: .null)
        return curl?.termination == .exited(0) ? curl?.standardOutput : nil
    }

    static func configuration(frontend: Int, backend: Int) -> String {
        """
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s

        frontend web
            bind 127.0.0.1:\(frontend)
            default_backend app

        backend app
            server app1 127.0.0.1:\(backend)

        """
    }

    /// Polls `condition` (bounded: 10 s, every 20 ms) until it holds.
    static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    @Test func test_sighupWithANewBackend_isAppliedLive_andTheFrontendKeepsServing() async throws {
        let base = runFreeLoopbackPort()
        let (frontend, one, two) = (base, base + 1, base + 2)
        let first = try LoopbackResponder(body: "one", port: one)
        let second = try LoopbackResponder(body: "two", port: two)
        defer {
            first.stop()
            second.stop()
        }
        // Both web servers answer before hactl starts (python may be slow to start on a busy machine).
        #expect(Self.eventually { Self.get(port: one) == "one" && Self.get(port: two) == "two" })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ha-reload-\(base).conf").path
        try Self.configuration(frontend: frontend, backend: one).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let notify = try RunNotifySocket()
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", path], environment: ["NOTIFY_SOCKET": notify.path])
        #expect(notify.waitFor("READY=1", timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        #expect(Self.eventually { Self.get(port: frontend) == "one" }, "stderr: \(hactl.standardError)")

        try Self.configuration(frontend: frontend, backend: two).write(toFile: path, atomically: true, encoding: .utf8)
        hactl.signal(SIGHUP)
        #expect(notify.waitFor("RELOADING=1", timeout: .seconds(20)))
        #expect(notify.waitFor("READY=1", occurrences: 2, timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        #expect(Self.get(port: frontend) == "two", "stderr: \(hactl.standardError)")
        #expect(hactl.standardError.contains("reload applied"), "stderr: \(hactl.standardError)")
        #expect(hactl.process.isRunning)

        hactl.signal(SIGTERM)
        #expect(await hactl.waitForExit(timeout: .seconds(20)) == 0, "stderr: \(hactl.standardError)")
        await hactl.stop()
    }

    @Test func test_sighupWhoseNewBindFails_keepsTheRunningProxyServing() async throws {
        let base = runFreeLoopbackPort()
        let (frontend, backend, taken) = (base, base + 1, base + 2)
        let responder = try LoopbackResponder(body: "one", port: backend)
        let occupant = try LoopbackResponder(body: "occupant", port: taken)  // holds the port the new file wants
        defer {
            responder.stop()
            occupant.stop()
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ha-reload-\(base).conf").path
        try Self.configuration(frontend: frontend, backend: backend).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(Self.eventually { Self.get(port: taken) == "occupant" && Self.get(port: backend) == "one" })

        let notify = try RunNotifySocket()
        let hactl = try RunHactlProcess(arguments: ["run", "--role", "master", "-f", path], environment: ["NOTIFY_SOCKET": notify.path])
        #expect(notify.waitFor("READY=1", timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        #expect(Self.eventually { Self.get(port: frontend) == "one" }, "stderr: \(hactl.standardError)")

        let moved = Self.configuration(frontend: frontend, backend: backend)
            .replacingOccurrences(of: "bind 127.0.0.1:\(frontend)", with: "bind 127.0.0.1:\(frontend)\n    bind 127.0.0.1:\(taken)")
        try moved.write(toFile: path, atomically: true, encoding: .utf8)
        hactl.signal(SIGHUP)
        #expect(notify.waitFor("READY=1", occurrences: 2, timeout: .seconds(20)), "stderr: \(hactl.standardError)")
        #expect(hactl.standardError.contains("reload: not applied"), "stderr: \(hactl.standardError)")
        #expect(Self.get(port: frontend) == "one", "the old proxy must keep serving")
        #expect(hactl.process.isRunning)

        hactl.signal(SIGTERM)
        #expect(await hactl.waitForExit(timeout: .seconds(20)) == 0, "stderr: \(hactl.standardError)")
        await hactl.stop()
    }
}
