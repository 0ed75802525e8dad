import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// TestSupport's `ChildProcess`, which starts every program the test suites run (nginx, HAProxy,
/// openssl, curl, the hactl binary): what reaches the child, what comes back, how it ended.
@Suite struct ChildProcessTests {
    @Test func test_standardOutputAndStandardError_areCapturedApart() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2"])
        #expect(result.standardOutput == "out\n")
        #expect(result.standardError == "err\n")
    }

    @Test func test_standardErrorSentToStandardOutput_isInterleavedWithIt() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo one; echo two >&2; echo three"], standardError: .standardOutput)
        #expect(result.standardOutput == "one\ntwo\nthree\n")
    }

    @Test func test_exitCode_isReported() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "exit 3"])
        #expect(result.termination == .exited(3))
        #expect(result.termination.status == 3)
    }

    @Test func test_terminationBySignal_isNotAnExitCode() throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        child.terminate()
        let termination = child.waitUntilExit()
        #expect(termination == .killed(signal: SIGTERM))
        #expect(termination != .exited(SIGTERM))
        #expect(termination.status == 128 + SIGTERM)
        #expect(!child.isRunning)
    }

    @Test func test_aSignalTheTestProcessIgnores_isAtItsDefaultInTheChild() throws {
        let previous = signal(SIGHUP, SIG_IGN)
        defer { signal(SIGHUP, previous) }
        let child = try ChildProcess("/bin/sleep", ["30"])
        child.kill(SIGHUP)
        let termination = child.wait(timeout: .seconds(10))
        child.kill(SIGKILL)
        child.waitUntilExit()
        #expect(termination == .killed(signal: SIGHUP))
    }

    /// 1 MiB on each of stdout and stderr, far more than a pipe holds: the child can only finish
    /// if both pipes are read while it runs.
    @Test func test_aChildWritingOneMebibyteOnEachOutput_doesNotDeadlock() throws {
        let result = try ChildProcess.run(
            "/bin/sh", ["-c", "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2"], timeout: .seconds(30))
        #expect(result.termination == .exited(0))
        #expect(result.standardOutput.utf8.count == 1 << 20)
        #expect(result.standardError.utf8.count == 1 << 20)
    }

    @Test func test_missingExecutable_throwsNamingIt() {
        #expect(throws: ChildProcess.Failure.cannotStart(command: ["/nonexistent/hactl-tool", "-v"], errno: ENOENT)) {
            try ChildProcess("/nonexistent/hactl-tool", ["-v"])
        }
        #expect(ChildProcess.Failure.cannotStart(command: ["/nonexistent/hactl-tool", "-v"], errno: ENOENT).description
            == "cannot start /nonexistent/hactl-tool -v: No such file or directory")
    }

    /// A descriptor the test process opened without O_CLOEXEC (as another thread might, between
    /// its open and its fcntl) stays out of the child; 0-2 reach it.
    @Test func test_aDescriptorOpenedWithoutCloseOnExec_isNotInherited() throws {
        let opened = open("/dev/null", O_RDONLY)
        try #require(opened >= 0)
        defer { close(opened) }
        // A copy at 200 or above, clear of the descriptors `ls` opens itself; F_DUPFD sets no FD_CLOEXEC.
        let leaked = fcntl(opened, F_DUPFD, 200)
        try #require(leaked >= 200)
        defer { close(leaked) }
        let listed = try ChildProcess.run("/bin/ls", ["/proc/self/fd"]).successfulOutput()
        let descriptors = Set(listed.split(separator: "\n").compactMap { Int32($0) })
        #expect(descriptors.isSuperset(of: [0, 1, 2]), "\(descriptors)")
        #expect(!descriptors.contains(leaked), "\(descriptors)")
    }

    @Test func test_environment_replacesTheTestProcesssWhenGiven() throws {
        let result = try ChildProcess.run("/usr/bin/env", environment: ["HACTL_ONLY": "this"])
        #expect(result.standardOutput == "HACTL_ONLY=this\n")
    }

    @Test func test_outputIsReadableWhileTheChildRuns() throws {
        let child = try ChildProcess("/bin/sh", ["-c", "echo ready; exec sleep 30"], standardOutput: .pipe)
        defer {
            child.kill(SIGKILL)
            child.waitUntilExit()
        }
        #expect(child.standardOutput.readLine() == "ready")
        #expect(child.isRunning)
    }

    @Test func test_standardInputPipe_reachesTheChild_andClosingItEndsItsInput() throws {
        let child = try ChildProcess("/bin/cat", standardInput: .pipe, standardOutput: .pipe)
        try child.writeToStandardInput("hello\n")
        #expect(child.standardOutput.readLine() == "hello")
        child.closeStandardInput()
        #expect(child.waitUntilExit() == .exited(0))
        #expect(child.standardOutput.readLine() == nil)
    }

    /// Writing to a child that stopped reading fails the write, not the whole test process (SIGPIPE).
    @Test func test_writingToAChildThatExited_throwsEPIPE() throws {
        let child = try ChildProcess("/bin/true", standardInput: .pipe)
        child.waitUntilExit()
        #expect(throws: ChildProcess.Failure.cannotWrite(command: ["/bin/true"], errno: EPIPE)) {
            try child.writeToStandardInput("nobody reads this\n")
        }
    }

    /// Nobody waits for this child, yet it is reaped when it ends: a zombie keeps its pid in
    /// use, and a program's pid-file check (`kill(pid, 0)`, as keepalived's) would take it for alive.
    @Test func test_anEndedChildNobodyWaitsFor_isReaped() throws {
        let child = try ChildProcess("/bin/sh", ["-c", "exit 0"])
        let deadline = ContinuousClock.now + .seconds(10)
        while kill(child.pid, 0) == 0 && ContinuousClock.now < deadline { usleep(1_000) }
        #expect(kill(child.pid, 0) == -1 && errno == ESRCH)
    }

    @Test func test_waitWithTimeout_isNilWhileTheChildRuns() throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        #expect(child.wait(timeout: .milliseconds(50)) == nil)
        child.kill(SIGKILL)
        #expect(child.wait(timeout: .seconds(10)) == .killed(signal: SIGKILL))
    }

    @Test func test_runPastItsTimeout_killsTheChildAndThrows() {
        #expect(throws: ChildProcess.Failure.timedOut(command: ["/bin/sleep", "30"], after: .milliseconds(100))) {
            try ChildProcess.run("/bin/sleep", ["30"], timeout: .milliseconds(100))
        }
    }

    @Test func test_successfulOutput_throwsWithWhatTheChildWrote_whenItFailed() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo partial; echo broken >&2; exit 2"])
        #expect(throws: ChildProcess.Failure.unsuccessful(command: result.command, termination: .exited(2), output: "partial\nbroken\n")) {
            try result.successfulOutput()
        }
    }

    @Test func test_outputToAFile_createsItAndWritesThere() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("child-process-\(getpid()).out").path
        defer { unlink(path) }
        let child = try ChildProcess("/bin/sh", ["-c", "echo to-file; echo also >&2"], standardOutput: .file(path), standardError: .standardOutput)
        #expect(child.waitUntilExit() == .exited(0))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "to-file\nalso\n")
    }
}
