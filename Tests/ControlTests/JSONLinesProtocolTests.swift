import Testing
@testable import Control

@Suite struct JSONLinesProtocolTests {
    static let commands: [ControlCommand] = [
        .status,
        .reload,
        .failover(.init()),
        .failover(.init(instance: "VI_1", force: true, clear: false, wait: true)),
        .failover(.init(clear: true)),
        .server(backend: "app", server: "s1", action: .disable),
        .server(backend: "app", server: "s1", action: .enable),
        .server(backend: "app", server: "s1", action: .drain),
        .server(backend: "app", server: "s1", action: .weight(0)),
        .server(backend: "app", server: "s1", action: .weight(256)),
        .frontend(name: "web", action: .disable),
        .frontend(name: "web", action: .enable),
    ]

    @Test(arguments: commands) func test_request_roundTrips(_ command: ControlCommand) {
        let line = JSONLinesProtocol.encodeRequest(command)
        #expect(line.hasPrefix(#"{"v":1,"#))
        #expect(!line.contains("\n"))
        #expect(JSONLinesProtocol.decodeRequest(line) == .success(command))
    }

    @Test func test_status_isTheDocumentedLine() {
        #expect(JSONLinesProtocol.encodeRequest(.status) == #"{"v":1,"cmd":"status"}"#)
    }

    @Test func test_failover_defaultsItsFlagsToFalse() {
        #expect(JSONLinesProtocol.decodeRequest(#"{"v":1,"cmd":"failover"}"#) == .success(.failover(.init())))
    }

    static let refusals: [(String, String)] = [
        (#"{"v":2,"cmd":"status"}"#, "unsupported protocol version 2 (this hactl speaks v1)"),
        (#"{"cmd":"status"}"#, "request has no protocol version \"v\" (this hactl speaks v1)"),
        (#"{"v":1}"#, "request has no \"cmd\" (one of: status, failover, server, frontend, reload)"),
        (#"{"v":1,"cmd":"restart"}"#, "unknown command \"restart\" (one of: status, failover, server, frontend, reload)"),
        (#"{"v":1,"cmd":"server","action":"weight","backend":"app","server":"s1"}"#, "server weight: missing \"weight\""),
        (#"{"v":1,"cmd":"server","action":"weight","backend":"app","server":"s1","weight":300}"#, "server weight: 300 is out of range (0...256)"),
        (#"{"v":1,"cmd":"server","action":"kill","backend":"app","server":"s1"}"#, "server: \"action\" must be disable, enable, drain or weight, not \"kill\""),
        (#"{"v":1,"cmd":"server","action":"drain","server":"s1"}"#, "server: missing \"backend\""),
        (#"{"v":1,"cmd":"frontend","action":"pause","name":"web"}"#, "frontend: \"action\" must be disable or enable"),
        (#"{"v":"1","cmd":"status"}"#, "field \"v\" has the wrong type"),
        (#"{"v":1,"cmd":"status""#, "request is not a JSON object on one line"),
        (#"[1,2]"#, "request is not a JSON object on one line"),
    ]

    @Test(arguments: refusals) func test_badRequest_isRefusedWithAClearMessage(_ line: String, _ message: String) {
        #expect(JSONLinesProtocol.decodeRequest(line) == .failure(.other(message)))
    }

    @Test func test_response_envelopes() {
        #expect(JSONLinesProtocol.encodeResponse(.done(message: "ok")) == #"{"v":1,"ok":true,"data":{"message":"ok"}}"#)
        #expect(JSONLinesProtocol.encodeResponse(.failed(.noSuchFrontend("x"))) == #"{"v":1,"ok":false,"error":"no such frontend \"x\""}"#)
        #expect(JSONLinesProtocol.encodeResponse(.status(Fixtures.report)).hasPrefix(#"{"v":1,"ok":true,"data":{"backends":"#))
    }

    @Test func test_response_roundTrips() throws {
        let report = Fixtures.report
        #expect(try JSONLinesProtocol.decodeResponse(JSONLinesProtocol.encodeResponse(.status(report)), to: .status) == .status(report))
        #expect(try JSONLinesProtocol.decodeResponse(JSONLinesProtocol.encodeResponse(.done(message: "VI_1: MASTER -> BACKUP")), to: .reload)
            == .done(message: "VI_1: MASTER -> BACKUP"))
        let refused = JSONLinesProtocol.encodeResponse(.failed(.permissionDenied(command: "reload", needed: .admin, socketLevel: .user)))
        #expect(try JSONLinesProtocol.decodeResponse(refused, to: .reload)
            == .failed(.other("permission denied: reload needs level admin, this socket is level user")))
    }

    @Test func test_response_thatIsNotJSON_throws() {
        #expect(throws: ControlProtocolError.self) { try JSONLinesProtocol.decodeResponse("Unknown command", to: .status) }
    }
}

@Suite struct ControlCommandTests {
    static let levels: [(ControlCommand, Bool, ControlLevel)] = [
        (.status, false, .user),
        (.server(backend: "a", server: "s", action: .enable), true, .operator),
        (.server(backend: "a", server: "s", action: .drain), true, .operator),
        (.server(backend: "a", server: "s", action: .weight(5)), true, .operator),
        (.frontend(name: "f", action: .enable), true, .operator),
        (.server(backend: "a", server: "s", action: .disable), true, .admin),
        (.frontend(name: "f", action: .disable), true, .admin),
        (.failover(.init()), true, .admin),
        (.failover(.init(clear: true)), true, .admin),
        (.reload, true, .admin),
    ]

    @Test(arguments: levels) func test_isWriteAndRequiredLevel(_ command: ControlCommand, _ isWrite: Bool, _ level: ControlLevel) {
        #expect(command.isWrite == isWrite)
        #expect(command.requiredLevel == level)
    }

    @Test func test_levelsAreOrdered() {
        #expect(ControlLevel.user < .operator)
        #expect(ControlLevel.operator < .admin)
    }
}
