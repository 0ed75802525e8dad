import Glibc
import NIOCore
import NIOPosix
import Testing

@testable import VRRP

/// vrrp_script / notify execution: argv exec'd without a shell, timeout kills, nothing left unreaped.
@Suite struct ScriptProcessTests {
    func withLoop<T>(_ body: (any EventLoop, NIOThreadPool) throws -> T) throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        defer {
            try? pool.syncShutdownGracefully()
            try? group.syncShutdownGracefully()
        }
        return try body(group.next(), pool)
    }

    @Test func test_exitStatusIsReported() throws {
        let outcome = try withLoop { loop, pool in
            try ScriptProcess.run(["/bin/sh", "-c", "exit 3"], timeout: .seconds(5), on: loop, threadPool: pool).wait()
        }
        #expect(outcome == .exited(3))
    }

    @Test func test_argvIsNotInterpretedByAShell() throws {
        // With a shell, `true; false` would be two commands; exec'd directly it is one argument to `true`.
        let outcome = try withLoop { loop, pool in
            try ScriptProcess.run(["true", "; false"], timeout: .seconds(5), on: loop, threadPool: pool).wait()
        }
        #expect(outcome == .exited(0))
    }

    @Test func test_missingCommandIsASpawnFailure() throws {
        let outcome = try withLoop { loop, pool in
            try ScriptProcess.run(["/nonexistent/hactl-check"], timeout: .seconds(5), on: loop, threadPool: pool).wait()
        }
        #expect(outcome == .spawnFailed(ENOENT))
    }

    @Test func test_timeoutKillsTheScriptAndReapsIt() throws {
        let outcome = try withLoop { loop, pool in
            try ScriptProcess.run(["sleep", "30"], timeout: .milliseconds(100), on: loop, threadPool: pool).wait()
        }
        #expect(outcome == .timedOut)
        // No child of ours is left, not even a zombie.
        var status: Int32 = 0
        #expect(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD)
    }
}
