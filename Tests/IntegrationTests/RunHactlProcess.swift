import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The real `hactl` binary started by a test, tracked by its pid and always stopped by it.
///
/// The binary is `$HACTL_BINARY` (scripts/test sets it) or `.build/debug/hactl`.
final class RunHactlProcess: Sendable {
    let process: ChildProcess
    private let stderrPath: String

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["HACTL_BINARY"], !path.isEmpty { return path }
        return FileManager.default.currentDirectoryPath + "/.build/debug/hactl"
    }

    /// - Parameter executable: what to start; the hactl binary unless a wrapper such as
    ///   `ip netns exec` (which execs hactl in place, keeping the pid) is given.
    /// - Parameter standardOutput: a file for stdout (`log stdout ...` lines); discarded without.
    init(arguments: [String], environment extra: [String: String], executable: String? = nil, standardOutput: String? = nil) throws {
        stderrPath = FileManager.default.temporaryDirectory.appendingPathComponent("ha-run-\(UUID().uuidString.prefix(8)).stderr").path
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = nil
        environment["NOTIFY_SOCKET"] = nil
        environment["WATCHDOG_USEC"] = nil
        // Each node its own control socket: several run on one machine in the tests.
        environment["HACTL_SOCKET"] = stderrPath.replacingOccurrences(of: ".stderr", with: ".sock")
        environment.merge(extra) { _, new in new }
        process = try ChildProcess(
            executable ?? Self.binary, arguments, environment: environment,
            standardOutput: standardOutput.map { .file($0) } ?? .null, standardError: .file(stderrPath))
    }

    /// `hactl run --role ROLE [ARGUMENTS] -f FILE` inside `host`'s namespace of `lab`, reporting
    /// to `notify` (through `ip netns exec`, which execs hactl in place: the pid is hactl's).
    convenience init(in lab: NamespaceLab, _ host: String, role: String, file: String, notify: RunNotifySocket, arguments: [String] = []) throws {
        try self.init(
            arguments: ["netns", "exec", lab.namespace(host), Self.binary, "run", "--role", role] + arguments + ["-f", file],
            environment: ["NOTIFY_SOCKET": notify.path], executable: "/usr/sbin/ip"
        )
    }

    var pid: Int32 { process.pid }

    func signal(_ number: Int32) {
        process.kill(number)
    }

    /// The exit status (128 + N when killed by signal N), or nil when the process is still
    /// running after `timeout`.
    func waitForExit(timeout: Duration) async -> Int32? {
        await process.termination(within: timeout)?.status
    }

    /// Everything the process wrote on stderr so far.
    var standardError: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    /// Whether the supervisor took the proxy down or restarted it at any moment within
    /// `duration`: stderr is watched the whole while (every 100 ms), not read once at the end.
    func restartsProxy(within duration: Duration) async throws -> Bool {
        let until = ContinuousClock.now + duration
        while ContinuousClock.now < until {
            let log = standardError
            if log.contains("restart requested") || log.contains("proxy down") { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Stops the process by its pid if it still runs (SIGKILL after a grace period) and removes its files.
    func stop() async {
        if process.isRunning {
            process.terminate()
            if await waitForExit(timeout: .seconds(5)) == nil {
                process.kill(SIGKILL)
                _ = await waitForExit(timeout: .seconds(5))
            }
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}
