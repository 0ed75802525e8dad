import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `hactl status --watch` in a real terminal (tmux, 80x24): it draws, and `q` or Ctrl-C end it
/// with exit status 0. The node is absent on purpose: the view must say so and keep running.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
struct StatusWatchTests {
    let session = "hactl-watch-\(getpid())"

    /// Runs a tmux client command to its end; its standard output. (The tmux server the first
    /// one starts keeps none of the client's descriptors: the output ends when the client exits.)
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        try ChildProcess.run("/usr/bin/tmux", arguments, standardError: .null).standardOutput
    }

    /// The pane's text once `predicate` holds; the last capture after `deadline` (the test fails).
    func pane(within deadline: Duration = .seconds(10), until predicate: (String) -> Bool) async throws -> String {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var text = ""
        while clock.now < end {
            text = try tmux(["capture-pane", "-p", "-t", session])
            if predicate(text) { return text }
            await Task.yield()
        }
        return text
    }

    func quits(on key: String) async throws {
        let command = "\(VRRPLab.hactlBinary) status --watch -S /nonexistent/hactl.sock; echo EXIT=$?; sleep 30"
        try tmux(["new-session", "-d", "-s", session, "-x", "80", "-y", "24", command])
        defer { _ = try? tmux(["kill-session", "-t", session]) }
        let frame = try await pane { $0.contains("q or Ctrl-C: quit") }
        #expect(frame.contains("node unreachable: /nonexistent/hactl.sock"))
        #expect(frame.split(separator: "\n").allSatisfy { $0.count <= 80 })
        try tmux(["send-keys", "-t", session, key])
        let after = try await pane { $0.contains("EXIT=") }
        #expect(after.contains("EXIT=0"))
    }

    @Test func test_q_quitsWithStatus0() async throws { try await quits(on: "q") }

    @Test func test_ctrlC_quitsWithStatus0() async throws { try await quits(on: "C-c") }
}
