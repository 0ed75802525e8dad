import Foundation
import Testing
import TestSupport
@testable import Control

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct ControlServerTests {
    @Test func test_jsonStatus_isAnsweredWithTheReport() async throws {
        try await withControlServer { path in
            let reply = try await ControlClient(path: path).send(.status)
            #expect(reply == .status(Fixtures.report))
        }
    }

    @Test func test_socketFile_hasTheConfiguredModeAndSeveralRequestsShareAConnection() async throws {
        try await withControlServer(.init(mode: 0o640)) { path in
            var status = stat()
            #expect(stat(path, &status) == 0)
            #expect(status.st_mode & 0o777 == 0o640)
            #expect(status.st_mode & S_IFMT == S_IFSOCK)
            let client = try RawClient(path: path)
            client.send(#"{"v":1,"cmd":"server","action":"drain","backend":"app","server":"s1"}"# + "\n")
            #expect(client.readLine() == #"{"v":1,"ok":true,"data":{"message":"app/s1: server drain"}}"#)
            client.send(#"{"v":1,"cmd":"frontend","action":"disable","name":"nope"}"# + "\n")
            #expect(client.readLine() == #"{"v":1,"ok":false,"error":"no such frontend \"nope\""}"#)
        }
    }

    @Test func test_secondServerOnALiveSocket_refusesAndLeavesItServing() async throws {
        try await withControlServer { path in
            // A second server on the same path must refuse rather than steal the socket.
            let second = ControlServer(configuration: .init(path: path), responder: FakeResponder())
            await #expect(throws: ControlServerError.socketInUse(path: path)) { () async throws -> Void in try await second.run() }
            let reply = try await ControlClient(path: path).send(.status)
            #expect(reply == .status(Fixtures.report))
        }
    }

    @Test func test_levelUser_refusesWrites_namingTheLevelNeeded() async throws {
        let responder = FakeResponder()
        try await withControlServer(.init(level: .user), responder: responder) { path in
            let client = ControlClient(path: path)
            let failover = try await client.send(.failover(.init(instance: "VI_1")))
            #expect(failover == .failed(.other("permission denied: failover needs level admin, this socket is level user")))
            let drain = try await client.sendRuntimeAPI("set server app/s1 state drain")
            #expect(drain == "Permission denied: server drain needs level operator, this socket is level user.\n\n")
            let status = try await client.send(.status)
            #expect(status == .status(Fixtures.report))
            #expect(await responder.received.commands == [.status])
        }
    }

    @Test func test_unknownCommands_inBothDialects() async throws {
        try await withControlServer { path in
            let client = try RawClient(path: path)
            client.send(#"{"v":1,"cmd":"reboot"}"# + "\n" + #"{"v":9,"cmd":"status"}"# + "\n")
            #expect(client.readLine() == #"{"v":1,"ok":false,"error":"unknown command \"reboot\" (one of: status, failover, server, frontend, reload)"}"#)
            #expect(client.readLine() == #"{"v":1,"ok":false,"error":"unsupported protocol version 9 (this hactl speaks v1)"}"#)
            let answer = try await ControlClient(path: path).sendRuntimeAPI("show sess")
            #expect(answer.hasPrefix("Unknown command. Please enter one of the following commands only:\n"))
            #expect(answer.hasSuffix("\n\n"))
        }
    }

    @Test func test_runtimeAPI_answersThenCloses_evenAfterTheClientHalfCloses() async throws {
        try await withControlServer { path in
            let client = try RawClient(path: path)
            client.send("show stat;show servers state\n")
            shutdown(client.fd, Int32(SHUT_WR))  // what `echo ... | socat` does
            let (text, end) = client.readToEnd()
            #expect(end == .eof)
            #expect(text == RuntimeAPIAnswer.showStat(Fixtures.report) + RuntimeAPIAnswer.showServersState(Fixtures.report, backend: nil))
        }
    }

    @Test func test_overlongLine_getsAnErrorAndTheConnectionIsClosed() async throws {
        try await withControlServer(.init(maximumLineLength: 1024)) { path in
            let client = try RawClient(path: path)
            client.send([UInt8](repeating: UInt8(ascii: "a"), count: 70_000))
            let (text, end) = client.readToEnd()
            #expect(text == #"{"v":1,"ok":false,"error":"request line longer than 1024 bytes; closing"}"# + "\n")
            #expect(end != .timedOut)
        }
    }

    @Test func test_defaultLineLimit_is64KiB() async throws {
        #expect(ControlServer.Configuration().maximumLineLength == 65536)
        try await withControlServer { path in
            let client = try RawClient(path: path)
            client.send([UInt8](repeating: UInt8(ascii: "{"), count: 65537))
            #expect(client.readLine() == #"{"v":1,"ok":false,"error":"request line longer than 65536 bytes; closing"}"#)
        }
    }

    @Test func test_garbageBytes_getAnErrorAndAClose() async throws {
        try await withControlServer { path in
            let client = try RawClient(path: path)
            client.send([0xFF, 0xFE, 0x00, 0x01, 0x80, 0x0A])
            let (text, end) = client.readToEnd()
            #expect(text == #"{"v":1,"ok":false,"error":"request is not text (binary or invalid UTF-8); closing"}"# + "\n")
            #expect(end == .eof)
            // Malformed JSON is an error too, but the connection stays usable.
            let second = try RawClient(path: path)
            second.send("{\"v\":1,\"cmd\n" + #"{"v":1,"cmd":"status"}"# + "\n")
            #expect(second.readLine() == #"{"v":1,"ok":false,"error":"request is not a JSON object on one line"}"#)
            #expect(second.readLine()?.hasPrefix(#"{"v":1,"ok":true,"data":{"#) == true)
        }
    }

    @Test func test_silentClient_isClosedAfterTheIdleTimeout() async throws {
        #expect(ControlServer.Configuration().idleTimeout == .seconds(10))
        try await withControlServer(.init(idleTimeout: .milliseconds(200))) { path in
            let client = try RawClient(path: path, receiveTimeoutSeconds: 10)
            let (text, end) = client.readToEnd()
            #expect(text == "")
            #expect(end == .eof)
        }
    }

    @Test func test_slowAnswer_isNotCutByTheIdleTimeout() async throws {
        let responder = GatedResponder(report: Fixtures.report)
        try await withControlServer(.init(idleTimeout: .milliseconds(100)), responder: responder) { path in
            let client = try RawClient(path: path)
            client.send(#"{"v":1,"cmd":"status"}"# + "\n")
            var called = responder.called.makeAsyncIterator()
            _ = await called.next()
            // Not waiting for an event: this proves one does NOT happen, so four idle periods
            // must pass while the answer is pending.
            try await Task.sleep(for: .milliseconds(400))
            responder.open()
            #expect(client.readLine()?.hasPrefix(#"{"v":1,"ok":true,"#) == true)
        }
    }

    @Test func test_twoHundredClientsAtOnce_areAllServed() async throws {
        try await withControlServer { path in
            let results = try await withThrowingTaskGroup(of: ControlReply.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await ControlClient(path: path, timeout: .seconds(30)).send(.status) }
                }
                return try await group.reduce(into: [ControlReply]()) { $0.append($1) }
            }
            #expect(results.count == 200)
            #expect(results.allSatisfy { $0 == .status(Fixtures.report) })
        }
    }

    @Test func test_clientsOverTheLimit_areRefusedCleanly() async throws {
        let responder = GatedResponder(report: Fixtures.report)
        try await withControlServer(.init(maximumConnections: 2), responder: responder) { path in
            let holders = try (0..<2).map { _ in try RawClient(path: path) }
            var called = responder.called.makeAsyncIterator()
            for holder in holders {
                holder.send(#"{"v":1,"cmd":"status"}"# + "\n")
                _ = await called.next()
            }
            let refused = try RawClient(path: path)
            let (text, end) = refused.readToEnd()
            #expect(text == #"{"v":1,"ok":false,"error":"too many control connections (limit 2); try again"}"# + "\n")
            #expect(end == .eof)
            responder.open()
            for holder in holders { #expect(holder.readLine()?.hasPrefix(#"{"v":1,"ok":true,"#) == true) }
        }
    }

    @Test func test_clientDisconnectingMidAnswer_breaksNothing() async throws {
        var big = Fixtures.report
        big.backends[0].servers = (0..<5000).map { Fixtures.server("s\($0)") }  // a few MiB of answer
        let responder = GatedResponder(report: big)
        try await withControlServer(responder: responder) { path in
            let client = try RawClient(path: path)
            client.send("show stat\n")
            var called = responder.called.makeAsyncIterator()
            _ = await called.next()
            client.abort()
            responder.open()
            // The server is still there for the next client, which gets the full answer.
            let answer = try await ControlClient(path: path, timeout: .seconds(30)).sendRuntimeAPI("show stat")
            #expect(answer == RuntimeAPIAnswer.showStat(big))
        }
    }

    @Test func test_peerThatIsNeitherRootNorOwner_isRefused() async throws {
        try await withControlServer(.init(mode: 0o666)) { path in
            // Ends when socat exits (-T 10 bounds it).
            let socat = try ChildProcess.run(
                "/usr/bin/setpriv",
                ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/socat", "-t", "5", "-T", "10", "-", "UNIX-CONNECT:\(path)"],
                standardError: .inherit)
            #expect(socat.standardOutput
                == #"{"v":1,"ok":false,"error":"permission denied: uid 65534 may not use this control socket (only root and its owner, uid 0)"}"# + "\n")
        }
    }
}

@Suite struct ControlClientTests {
    @Test func test_missingSocket_namesThePathAndErrno() async {
        let path = "/tmp/hactl-control-test-missing/hactl.sock"
        let client = ControlClient(path: path)
        await #expect(throws: ControlClientError.unreachable(path: path, errno: ENOENT)) { () async throws -> Void in _ = try await client.send(.status) }
        #expect(ControlClientError.unreachable(path: "/run/hactl/hactl.sock", errno: ENOENT).description
            == "cannot reach hactl at /run/hactl/hactl.sock: No such file or directory (is hactl running? -S PATH to name another socket)")
    }

    @Test func test_serverThatNeverAnswers_timesOut() async throws {
        let responder = GatedResponder(report: Fixtures.report)
        try await withControlServer(responder: responder) { path in
            let client = ControlClient(path: path, timeout: .milliseconds(300))
            await #expect(throws: ControlClientError.timedOut(path: path, after: .milliseconds(300))) { () async throws -> Void in _ = try await client.send(.status) }
            responder.open()
        }
    }
}
