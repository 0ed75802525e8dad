import Glibc
import NIOCore

/// Runs one `vrrp_script` / `notify` command: exec'd directly from its argv (posix_spawnp, no
/// shell), stdio on /dev/null, default signal dispositions; killed (SIGKILL) at `timeout`, and
/// always reaped, so no zombie is left.
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

    /// Starts `argv` and completes, on `eventLoop`, with how it ended. The child is reaped by
    /// polling `waitpid(pid, WNOHANG)` every 10 ms on the loop: no thread blocks, however many
    /// scripts run at once, and a script past `timeout` gets SIGKILL and is still reaped.
    static func run(_ argv: [String], timeout: TimeAmount, on eventLoop: any EventLoop) -> EventLoopFuture<Outcome> {
        eventLoop.flatSubmit { start(argv, timeout: timeout, on: eventLoop) }
    }

    private static func start(_ argv: [String], timeout: TimeAmount, on eventLoop: any EventLoop)
        -> EventLoopFuture<Outcome>
    {
        guard !argv.isEmpty else { return eventLoop.makeSucceededFuture(.spawnFailed(ENOENT)) }
        let pid: pid_t
        switch spawn(argv) {
        case .failure(let code): return eventLoop.makeSucceededFuture(.spawnFailed(code))
        case .success(let started): pid = started
        }
        let promise = eventLoop.makePromise(of: Outcome.self)
        let deadline = NIODeadline.now() + timeout
        let timedOut = NIOLoopBoundBox(false, eventLoop: eventLoop)
        eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(2), delay: .milliseconds(10)) { task in
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                task.cancel()
                if timedOut.value {
                    promise.succeed(.timedOut)
                } else {
                    let signal = status & 0x7F
                    promise.succeed(signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal))
                }
                return
            }
            if reaped < 0 && errno != EINTR {
                // Reaped elsewhere (ECHILD): the status is lost, count it as a failure.
                task.cancel()
                promise.succeed(timedOut.value ? .timedOut : .exited(-1))
                return
            }
            if !timedOut.value && NIODeadline.now() >= deadline {
                timedOut.value = true
                kill(pid, SIGKILL)
            }
        }
        return promise.futureResult
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
