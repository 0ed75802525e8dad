import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A program a test starts (a server, a client, the hactl binary), tracked by its pid.
///
/// Started with posix_spawn(3), not Foundation's `Process`: on Swift 6.3.1, `Process.run()` now
/// and then kills the whole test process (it copies 256 bytes of each /proc/self/fd entry, past the
/// end of glibc's directory buffer: swiftlang/swift-corelibs-foundation#5472).
///
/// What the child gets:
/// - descriptors 0-2 as `Input` and `Destination` say, and no other: every descriptor from 3 up is
///   closed in the child, even one another thread opened without `O_CLOEXEC` (a listening socket
///   or a pipe leaking into a server keeps it open after the test closed its own copy);
/// - no blocked signal and every signal at its default action, whatever the test process blocks
///   or ignores (a child inheriting an ignored SIGTERM could not be `terminate()`d);
/// - a process group of its own, as under `Process`, which these tests used before.
///
/// A thread of its own reaps the child as soon as it ends, as `Process` did: an ended child
/// does not linger as a zombie, which a program's pid-file check (keepalived's, restarted in the
/// same namespace) would take for the program still running. It reaps under the lock `kill`
/// holds: a signal never reaches a process that reused the pid.
public final class ChildProcess: Sendable {
    /// The executable and its arguments, for messages.
    public let command: [String]
    public let pid: Int32
    private let capturedOutput: Output?
    private let capturedError: Output?
    /// Our end of its standard input (`Input.pipe`), until `closeStandardInput()`.
    private let input: Mutex<Int32?>
    private let exit: Exit

    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        /// The test process's own.
        case inherit
        /// /dev/null: the child reads end-of-file.
        case null
        /// A pipe the test writes with `writeToStandardInput(_:)` and ends with `closeStandardInput()`.
        case pipe
    }

    /// Where the child's standard output or standard error goes.
    public enum Destination: Sendable, Equatable {
        /// The test process's own.
        case inherit
        case null
        /// A pipe drained as the child writes (`standardOutput`, `standardError`).
        case pipe
        /// A file, created or truncated.
        case file(String)
        /// Wherever standard output goes (for standard error only: `2>&1`).
        case standardOutput
    }

    /// How a child ended.
    public enum Termination: Hashable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case killed(signal: Int32)
        /// It ended, but other code in this process reaped it first (`waitpid(-1)`, or SIGCHLD
        /// ignored), and how was lost with it.
        case reapedElsewhere

        /// The number a shell's `$?` shows: the exit code, or 128 + the signal's number; -1 when lost.
        public var status: Int32 {
            switch self {
            case .exited(let code): code
            case .killed(let signal): 128 + signal
            case .reapedElsewhere: -1
            }
        }

        public var description: String {
            switch self {
            case .exited(let code): "exited \(code)"
            case .killed(let signal): "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            case .reapedElsewhere: "ended, reaped by other code in this process (how was lost)"
            }
        }
    }

    /// Why a child could not be started, or a run did not succeed; each names the command.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case cannotStart(command: [String], errno: Int32)
        case cannotOpen(path: String, errno: Int32)
        case cannotWrite(command: [String], errno: Int32)
        case unsuccessful(command: [String], termination: Termination, output: String)
        case timedOut(command: [String], after: Duration)

        public var description: String {
            switch self {
            case .cannotStart(let command, let errno):
                "cannot start \(command.joined(separator: " ")): \(String(cString: strerror(errno)))"
            case .cannotOpen(let path, let errno):
                "cannot open \(path) for a child's output: \(String(cString: strerror(errno)))"
            case .cannotWrite(let command, let errno):
                "cannot write to the standard input of \(command.joined(separator: " ")): \(String(cString: strerror(errno)))"
            case .unsuccessful(let command, let termination, let output):
                "\(command.joined(separator: " ")) \(termination): \(output)"
            case .timedOut(let command, let after):
                "\(command.joined(separator: " ")) did not exit within \(after) and was killed"
            }
        }
    }

    /// Starts `executable` (a path: no PATH search; `/usr/bin/env NAME` searches) with `arguments`.
    /// - Parameter environment: the child's whole environment; the test process's when nil.
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        standardInput: Input = .inherit, standardOutput: Destination = .inherit, standardError: Destination = .inherit
    ) throws {
        precondition(standardOutput != .standardOutput, "only standard error can go where standard output goes")
        let command = [executable] + arguments
        let plumbing = Plumbing(command: command)
        do {
            var input: Int32?
            switch standardInput {
            case .inherit: break
            case .null: plumbing.discard(0)
            case .pipe: input = try plumbing.pipe(as: 0)
            }
            let output = try plumbing.connect(1, to: standardOutput)
            let error = try plumbing.connect(2, to: standardError)
            let pid = try plumbing.spawn(environment: environment)
            self.command = command
            self.pid = pid
            self.input = Mutex(input)
            exit = Exit(watching: pid)
            capturedOutput = output.map(Output.init(draining:))
            capturedError = error.map(Output.init(draining:))
        } catch {
            for descriptor in plumbing.parentEnds { close(descriptor) }
            throw error
        }
    }

    deinit {
        input.withLock { if let descriptor = $0 { close(descriptor) } }
    }

    // MARK: Output and input

    /// What the child writes on standard output (started with `standardOutput: .pipe`).
    public var standardOutput: Output {
        guard let capturedOutput else { preconditionFailure("\(command[0]) was not started with standardOutput: .pipe") }
        return capturedOutput
    }

    /// What the child writes on standard error (started with `standardError: .pipe`).
    public var standardError: Output {
        guard let capturedError else { preconditionFailure("\(command[0]) was not started with standardError: .pipe") }
        return capturedError
    }

    /// Writes `text` to the child's standard input (started with `standardInput: .pipe`),
    /// waiting while the pipe is full. A child that stopped reading makes this throw
    /// `cannotWrite(EPIPE)` instead of killing the test process with SIGPIPE.
    public func writeToStandardInput(_ text: String) throws {
        try input.withLock { descriptor in
            guard let descriptor else { preconditionFailure("\(command[0])'s standard input is not an open pipe") }
            // A write to a pipe nobody reads raises SIGPIPE in the writing thread: blocked here, it
            // stays pending and is taken back below, so the write just fails with EPIPE.
            var sigpipe = sigset_t()
            sigemptyset(&sigpipe)
            sigaddset(&sigpipe, SIGPIPE)
            var previous = sigset_t()
            pthread_sigmask(SIG_BLOCK, &sigpipe, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 {
                    let error = errno
                    if error == EINTR { continue }
                    if error == EPIPE {
                        var now = timespec()
                        _ = sigtimedwait(&sigpipe, nil, &now)
                    }
                    throw Failure.cannotWrite(command: command, errno: error)
                }
                bytes = bytes.dropFirst(written)
            }
        }
    }

    /// Closes the child's standard input: it reads end-of-file once it has read what was written.
    public func closeStandardInput() {
        input.withLock { descriptor in
            if let open = descriptor { close(open) }
            descriptor = nil
        }
    }

    // MARK: Signals and exit

    /// How the child ended; nil while it runs.
    public var termination: Termination? { exit.termination }

    public var isRunning: Bool { termination == nil }

    /// Sends `signal` to the child, unless it has ended.
    public func kill(_ signal: Int32) {
        exit.whileRunning { _ = Glibc.kill(pid, signal) }
    }

    /// SIGTERM.
    public func terminate() { kill(SIGTERM) }

    /// Waits, holding this thread, until the child ends.
    @discardableResult
    public func waitUntilExit() -> Termination {
        exit.waitForTermination()
    }

    /// Waits, holding this thread, at most `timeout` for the child to end; nil if it still runs.
    public func wait(timeout: Duration) -> Termination? {
        let (seconds, attoseconds) = timeout.components
        return exit.termination(waitingUntil: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
    }

    /// Waits, without holding a thread, at most `timeout` for the child to end (looking every
    /// 5 ms); nil if it still runs, or the task was cancelled.
    public func termination(within timeout: Duration) async -> Termination? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let termination { return termination }
            do {
                try await Task.sleep(for: .milliseconds(5))
            } catch {
                break  // cancelled: answer with what is known now
            }
        }
        return termination
    }
}

/// How a child ended, recorded by a thread that waits for it from the start and reaps it.
private final class Exit: @unchecked Sendable {  // `ended` only under `condition`
    private let condition = NSCondition()
    private var ended: ChildProcess.Termination?

    init(watching pid: Int32) {
        let thread = Thread { [self] in watch(pid) }
        thread.name = "ChildProcess.Exit \(pid)"
        thread.start()
    }

    /// How it ended; nil while it runs.
    var termination: ChildProcess.Termination? {
        condition.lock()
        defer { condition.unlock() }
        return ended
    }

    func waitForTermination() -> ChildProcess.Termination {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let ended { return ended }
            condition.wait()
        }
    }

    /// How it ended, waiting until `deadline` at most; nil if it still runs then.
    func termination(waitingUntil deadline: Date) -> ChildProcess.Termination? {
        condition.lock()
        defer { condition.unlock() }
        while ended == nil && condition.wait(until: deadline) {}
        return ended
    }

    /// Runs `body` if the child has not ended, with its pid still its own (unreaped) throughout.
    func whileRunning(_ body: () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        if ended == nil { body() }
    }

    private func watch(_ pid: Int32) {
        // Sleeps until the child ends, leaving it unreaped (WNOWAIT), then reaps it under the lock.
        // ECHILD: other code in this process reaped it (`waitpid(-1)`); its pid may be another's now.
        var info = siginfo_t()
        var result: Int32
        repeat { result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) } while result < 0 && errno == EINTR
        condition.lock()
        defer { condition.unlock() }
        if result == 0 {
            repeat { result = waitid(P_PID, id_t(pid), &info, WEXITED) } while result < 0 && errno == EINTR
        }
        let value = info._sifields._sigchld.si_status
        ended = result < 0 ? .reapedElsewhere : info.si_code == CLD_EXITED ? .exited(value) : .killed(signal: value)
        condition.broadcast()
    }
}
