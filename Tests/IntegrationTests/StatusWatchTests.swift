import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hactl status --watch` in a real terminal (tmux, 80x24): it draws, and `q` or Ctrl-C end it
/// with exit status 0. The node is absent on purpose: the view must say so and keep running.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
struct StatusWatchTests {
    let session = "hactl-watch-\(getpid())"

    /// Runs tmux through posix_spawn and waitpid (Foundation's Process did not reap the tmux
    /// client here and the test hung); its standard output when `capture`, else discarded.
    @discardableResult
    func tmux(_ arguments: [String], capture: Bool = true) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(session)-\(UUID().uuidString)").path
        defer { unlink(output) }
        let argv = ["/usr/bin/tmux"] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, capture ? output : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        guard posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ) == 0 else { throw TmuxFailed() }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return capture ? ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "") : ""
    }

    struct TmuxFailed: Error {}

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
        try tmux(["new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], capture: false)
        defer { _ = try? tmux(["kill-session", "-t", session], capture: false) }
        let frame = try await pane { $0.contains("q or Ctrl-C: quit") }
        #expect(frame.contains("node unreachable: /nonexistent/hactl.sock"))
        #expect(frame.split(separator: "\n").allSatisfy { $0.count <= 80 })
        try tmux(["send-keys", "-t", session, key], capture: false)
        let after = try await pane { $0.contains("EXIT=") }
        #expect(after.contains("EXIT=0"))
    }

    @Test func test_q_quitsWithStatus0() async throws { try await quits(on: "q") }

    @Test func test_ctrlC_quitsWithStatus0() async throws { try await quits(on: "C-c") }
}
