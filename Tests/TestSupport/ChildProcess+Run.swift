#if canImport(Glibc)
import Glibc
#endif

extension ChildProcess {
    /// A run to the end: how the child ended and what it wrote.
    public struct Completed: Sendable {
        public var command: [String]
        public var termination: Termination
        public var standardOutput: String
        /// Empty unless standard error went to a pipe.
        public var standardError: String

        /// Standard output, when the child exited 0; `Failure.unsuccessful` with everything it
        /// wrote otherwise.
        @discardableResult
        public func successfulOutput() throws -> String {
            guard termination == .exited(0) else {
                throw Failure.unsuccessful(command: command, termination: termination, output: standardOutput + standardError)
            }
            return standardOutput
        }
    }

    /// Runs `executable` to its end: standard output captured, standard error captured apart
    /// unless `standardError` says otherwise, standard input `input` (then end-of-file) or /dev/null.
    /// - Parameter timeout: how long it may run; it is then killed (SIGKILL) and `Failure.timedOut`
    ///   thrown. Without one, as long as it takes.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        input: String? = nil, standardError: Destination = .pipe, timeout: Duration? = nil
    ) throws -> Completed {
        let child = try ChildProcess(
            executable, arguments, environment: environment, standardInput: input == nil ? .null : .pipe,
            standardOutput: .pipe, standardError: standardError)
        if let input {
            do {
                try child.writeToStandardInput(input)
            } catch Failure.cannotWrite(command: _, errno: EPIPE) {
                // It stopped reading (or never started to): how it ended and what it wrote say why.
            }
            child.closeStandardInput()
        }
        let termination: Termination
        if let timeout {
            guard let ended = child.wait(timeout: timeout) else {
                child.kill(SIGKILL)
                child.waitUntilExit()
                throw Failure.timedOut(command: child.command, after: timeout)
            }
            termination = ended
        } else {
            termination = child.waitUntilExit()
        }
        return Completed(
            command: child.command, termination: termination,
            standardOutput: String(decoding: child.standardOutput.readToEnd(), as: UTF8.self),
            standardError: standardError == .pipe ? String(decoding: child.standardError.readToEnd(), as: UTF8.self) : "")
    }
}
