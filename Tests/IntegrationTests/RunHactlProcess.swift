import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The real `hactl` binary started by a test, tracked by its pid and always stopped by it.
///
/// The binary is `$HACTL_BINARY` (scripts/test sets it) or `.build/debug/hactl`.
final class RunHactlProcess: @unchecked Sendable {
    let process = Process()
    private let stderrPath: String
    private let exited = AsyncStream<Int32>.makeStream()

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["HACTL_BINARY"], !path.isEmpty { return path }
        return FileManager.default.currentDirectoryPath + "/.build/debug/hactl"
    }

    /// - Parameter executable: what to start; the hactl binary unless a wrapper such as
    ///   `ip netns exec` (which execs hactl in place, keeping the pid) is given.
    /// - Parameter standardOutput: a file for stdout (`log stdout ...` lines); discarded without.
    init(arguments: [String], environment extra: [String: String], executable: String? = nil, standardOutput: String? = nil) throws {
        stderrPath = FileManager.default.temporaryDirectory.appendingPathComponent("ha-run-\(UUID().uuidString.prefix(8)).stderr").path
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable ?? Self.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = nil
        environment["NOTIFY_SOCKET"] = nil
        environment["WATCHDOG_USEC"] = nil
        // Each node its own control socket: several run on one machine in the tests.
        environment["HACTL_SOCKET"] = stderrPath.replacingOccurrences(of: ".stderr", with: ".sock")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        if let standardOutput {
            _ = FileManager.default.createFile(atPath: standardOutput, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: standardOutput)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        let continuation = exited.continuation
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
        try process.run()
    }

    /// `hactl run --role ROLE [ARGUMENTS] -f FILE` inside `host`'s namespace of `lab`, reporting
    /// to `notify` (through `ip netns exec`, which execs hactl in place: the pid is hactl's).
    convenience init(in lab: NamespaceLab, _ host: String, role: String, file: String, notify: RunNotifySocket, arguments: [String] = []) throws {
        try self.init(
            arguments: ["netns", "exec", lab.namespace(host), Self.binary, "run", "--role", role] + arguments + ["-f", file],
            environment: ["NOTIFY_SOCKET": notify.path], executable: "/usr/sbin/ip"
        )
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ number: Int32) {
        if process.isRunning { kill(pid, number) }
    }

    /// The exit status, or nil when the process is still running after `timeout`.
    func waitForExit(timeout: Duration) async -> Int32? {
        if !process.isRunning { return process.terminationStatus }
        let stream = exited.stream
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask {
                for await status in stream { return status }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Everything the process wrote on stderr so far.
    var standardError: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    /// Stops the process by its pid if it still runs (SIGKILL after a grace period) and removes its files.
    func stop() async {
        if process.isRunning {
            kill(pid, SIGTERM)
            if await waitForExit(timeout: .seconds(5)) == nil, process.isRunning {
                kill(pid, SIGKILL)
                _ = await waitForExit(timeout: .seconds(5))
            }
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}
