import Glibc
import NIOCore
import NIOPosix
import Testing

@testable import VRRP

/// vrrp_script / notify execution: argv exec'd without a shell, timeout kills, nothing left unreaped.
@Suite struct ScriptProcessTests {
    func withLoop<T>(_ body: (any EventLoop) throws -> T) throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        return try body(group.next())
    }

    @Test func test_exitStatusIsReported() throws {
        let outcome = try withLoop { loop in
            try ScriptProcess.run(["/bin/sh", "-c", "exit 3"], timeout: .seconds(5), on: loop).wait()
        }
        #expect(outcome == .exited(3))
    }

    @Test func test_argvIsNotInterpretedByAShell() throws {
        // With a shell, `true; false` would be two commands; exec'd directly it is one argument to `true`.
        let outcome = try withLoop { loop in
            try ScriptProcess.run(["true", "; false"], timeout: .seconds(5), on: loop).wait()
        }
        #expect(outcome == .exited(0))
    }

    @Test func test_missingCommandIsASpawnFailure() throws {
        let outcome = try withLoop { loop in
            try ScriptProcess.run(["/nonexistent/hactl-check"], timeout: .seconds(5), on: loop).wait()
        }
        #expect(outcome == .spawnFailed(ENOENT))
    }

    @Test func test_manyConcurrentSlowScriptsDoNotDelayAQuickOne() throws {
        let order = try withLoop { loop in
            let finished = try loop.submit { NIOLoopBoundBox([String](), eventLoop: loop) }.wait()
            let slow = (0..<8).map { _ in
                ScriptProcess.run(["sleep", "1"], timeout: .seconds(5), on: loop).map { _ in finished.value.append("slow") }
            }
            let quick = ScriptProcess.run(["true"], timeout: .seconds(5), on: loop).map { _ in finished.value.append("quick") }
            try quick.wait()
            for future in slow { try future.wait() }
            return try loop.submit { finished.value }.wait()
        }
        #expect(order.first == "quick")
        #expect(order.count == 9)
    }

    @Test func test_timeoutKillsTheScriptAndReapsIt() throws {
        let outcome = try withLoop { loop in
            try ScriptProcess.run(["sleep", "30"], timeout: .milliseconds(100), on: loop).wait()
        }
        #expect(outcome == .timedOut)
        // No child of ours is left, not even a zombie.
        var status: Int32 = 0
        #expect(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD)
    }
}
