import Glibc
import NIOCore
import NIOPosix

/// Runs one `vrrp_script` / `notify` command: exec'd directly from its argv (posix_spawnp, no
/// shell), stdio on /dev/null, default signal dispositions; killed (SIGKILL) at `timeout`, and
/// always reaped (waitpid on a thread-pool thread), so no zombie is left.
enum ScriptProcess {
    enum Outcome: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case spawnFailed(Int32)

        var succeeded: Bool { self == .exited(0) }

        var description: String {
            switch self {
            case .exited(let code): return "exit status \(code)"
            case .signalled(let signal): return "killed by signal \(signal)"
            case .timedOut: return "timed out"
            case .spawnFailed(let code): return "could not start: \(String(cString: strerror(code)))"
            }
        }
    }

    /// Starts `argv` and completes with how it ended. `eventLoop` arms the timeout.
    static func run(
        _ argv: [String], timeout: TimeAmount, on eventLoop: any EventLoop, threadPool: NIOThreadPool
    ) -> EventLoopFuture<Outcome> {
        eventLoop.flatSubmit { start(argv, timeout: timeout, on: eventLoop, threadPool: threadPool) }
    }

    private static func start(
        _ argv: [String], timeout: TimeAmount, on eventLoop: any EventLoop, threadPool: NIOThreadPool
    ) -> EventLoopFuture<Outcome> {
        guard !argv.isEmpty else { return eventLoop.makeSucceededFuture(.spawnFailed(ENOENT)) }
        let pid: pid_t
        switch spawn(argv) {
        case .failure(let code): return eventLoop.makeSucceededFuture(.spawnFailed(code))
        case .success(let started): pid = started
        }
        let timedOut = NIOLoopBoundBox(false, eventLoop: eventLoop)
        let killer = eventLoop.scheduleTask(in: timeout) {
            timedOut.value = true
            kill(pid, SIGKILL)
        }
        return threadPool.runIfActive(eventLoop: eventLoop) { () -> Int32 in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return status
        }.map { status in
            killer.cancel()
            if timedOut.value { return .timedOut }
            let signal = status & 0x7F
            if signal == 0 { return .exited((status >> 8) & 0xFF) }
            return .signalled(signal)
        }
    }

    private static func spawn(_ argv: [String]) -> SpawnResult {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor in Int32(0)...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var cStrings: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        cStrings.append(nil)
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, cStrings[0]!, &actions, &attributes, cStrings, environ)
        return rc == 0 ? .success(pid) : .failure(rc)
    }

    private enum SpawnResult {
        case success(pid_t)
        case failure(Int32)
    }
}
