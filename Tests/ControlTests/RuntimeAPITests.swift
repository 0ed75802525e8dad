import Testing
@testable import Control

@Suite struct RuntimeAPIRequestTests {
    static let table: [(String, RuntimeAPIRequest)] = [
        ("show info", .showInfo),
        ("show stat", .showStat),
        ("show servers state", .showServersState(backend: nil)),
        ("show servers state app", .showServersState(backend: "app")),
        ("help", .help),
        ("disable server app/s1", .command(.server(backend: "app", server: "s1", action: .disable))),
        ("enable server app/s1", .command(.server(backend: "app", server: "s1", action: .enable))),
        ("set server app/s1 state ready", .command(.server(backend: "app", server: "s1", action: .enable))),
        ("set server app/s1 state drain", .command(.server(backend: "app", server: "s1", action: .drain))),
        ("set server app/s1 state maint", .command(.server(backend: "app", server: "s1", action: .disable))),
        ("set weight app/s1 20", .command(.server(backend: "app", server: "s1", action: .weight(20)))),
        ("  set   weight\tapp/s1  0 ", .command(.server(backend: "app", server: "s1", action: .weight(0)))),
        ("disable frontend web", .command(.frontend(name: "web", action: .disable))),
        ("enable frontend web", .command(.frontend(name: "web", action: .enable))),
        ("set server app/s1 state bogus", .invalid("'set server <srv> state' expects 'ready', 'drain' and 'maint'.")),
        ("set weight app/s1 500", .invalid("Absolute weight can only be between 0 and 256 inclusive.")),
        ("set weight app/s1 abc", .invalid("Weight must be a whole number.")),
        ("disable server app", .invalid("Require 'backend/server'.")),
        ("disable server /s1", .invalid("Require 'backend/server'.")),
        ("show table", .showTable(name: nil, key: nil)),
        ("show table web", .showTable(name: "web", key: nil)),
        ("show table web key 198.18.0.12", .showTable(name: "web", key: "198.18.0.12")),
        ("show table web data.gpc0 gt 0", .invalid("hactl supports 'show table [<table> [key <key>]]' (stick tables hold no data.* types).")),
        ("clear table web", .clearTable(name: "web", key: nil)),
        ("clear table web key 198.18.0.12", .clearTable(name: "web", key: "198.18.0.12")),
        ("clear table", .invalid("hactl supports 'clear table <table> [key <key>]'.")),
        ("show sess", .unknown("show sess")),
        ("foo bar", .unknown("foo bar")),
        ("", .unknown("")),
    ]

    @Test(arguments: table) func test_parse(_ text: String, _ expected: RuntimeAPIRequest) {
        #expect(RuntimeAPIRequest.parseLine(text) == [expected])
    }

    @Test func test_semicolons_separateCommands_andEscapedOnesDoNot() {
        #expect(RuntimeAPIRequest.parseLine("show info; show stat;") == [.showInfo, .showStat])
        #expect(RuntimeAPIRequest.splitCommands(#"disable frontend a\;b; help"#) == ["disable frontend a;b", "help"])
    }
}

@Suite struct RuntimeAPIAnswerTests {
    let report = Fixtures.report

    func csv(_ text: String) -> [[String]] {
        text.split(separator: "\n").map { line in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields.removeLast()  // every field, the last included, is followed by a comma
            return fields
        }
    }

    @Test func test_showStat_headerIsHAProxysColumnLine() {
        let header = RuntimeAPIAnswer.showStat(report).split(separator: "\n")[0]
        #expect(header.hasPrefix("# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,"))
        #expect(header.hasSuffix(",uweight,agg_server_status,agg_server_check_status,agg_check_status,"))
        #expect(RuntimeAPIAnswer.statColumns.count == 103)
    }

    @Test func test_showStat_rowsAreFrontendThenServersThenBackend_allFullWidth() throws {
        let text = RuntimeAPIAnswer.showStat(report)
        #expect(text.hasSuffix(",\n\n"))
        let rows = csv(text)
        let columns = RuntimeAPIAnswer.statColumns
        #expect(rows.count == 5)
        for row in rows.dropFirst() { #expect(row.count == columns.count) }
        func field(_ row: [String], _ name: String) -> String { row[columns.firstIndex(of: name)!] }
        #expect(rows[1...].map { "\($0[0]),\($0[1])" } == ["web,FRONTEND", "app,s1", "app,s2", "app,BACKEND"])
        #expect(field(rows[1], "status") == "OPEN")
        #expect(field(rows[1], "scur") == "3")
        #expect(field(rows[1], "stot") == "1042")
        #expect(field(rows[1], "type") == "0")
        #expect(field(rows[2], "status") == "UP")
        #expect(field(rows[2], "weight") == "10")
        #expect(field(rows[2], "hrsp_2xx") == "400")
        #expect(field(rows[2], "addr") == "10.0.0.1:8080")
        #expect(field(rows[2], "lastchg") == "125")
        #expect(field(rows[2], "type") == "2")
        #expect(field(rows[2], "bin") == "")
        #expect(field(rows[4], "scur") == "4")
        #expect(field(rows[4], "hrsp_5xx") == "6")
        #expect(field(rows[4], "weight") == "20")
        #expect(field(rows[4], "act") == "2")
        #expect(field(rows[4], "type") == "1")
    }

    @Test func test_showServersState_versionHeaderAndRows() {
        var report = report
        report.backends[0].servers[1].admin = .drain
        report.backends[0].servers[1].state = .drain
        let lines = RuntimeAPIAnswer.showServersState(report, backend: nil).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "1")
        #expect(lines[1] == "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port")
        #expect(lines[2] == "2 app 1 s1 10.0.0.1 2 0 10 10 125 0 3 0 0 0 0 0 - 8080 - 0 0 - - 0")
        #expect(lines[3] == "2 app 2 s2 2001:db8::2 2 8 10 10 125 0 3 0 0 0 0 0 - 8080 - 0 0 - - 0")
        #expect(lines[4] == "" && lines[5] == "" && lines.count == 6)
        #expect(RuntimeAPIAnswer.showServersState(report, backend: "nope") == "Can't find backend.\n\n")
    }

    @Test func test_showInfo_namesProcessAndNode() {
        let text = RuntimeAPIAnswer.showInfo(report, pid: 42)
        #expect(text.contains("Name: hactl\nVersion: 0.9.0\nPid: 42\nUptime: 1d 2h03m04s\nUptime_sec: 93784\n"))
        #expect(text.contains("node: lb1\n"))
        #expect(text.hasSuffix("\n\n"))
    }

    @Test func test_unknownCommand_startsLikeHAProxysAnswer() {
        let text = RuntimeAPIAnswer.unknownCommand()
        #expect(text.hasPrefix("Unknown command. Please enter one of the following commands only:\n"))
        #expect(text.contains("  show stat                               : "))
        #expect(text.hasSuffix("\n\n"))
    }

    @Test func test_replies_successIsTheEmptyLine_failureHAProxysSentence() {
        #expect(RuntimeAPIAnswer.reply(.done(message: "x")) == "\n")
        #expect(RuntimeAPIAnswer.reply(.failed(.noSuchServer(backend: "a", server: "b"))) == "No such server.\n\n")
        #expect(RuntimeAPIAnswer.reply(.failed(.noSuchBackend("a"))) == "No such backend.\n\n")
    }
}

@Suite struct ControlSessionTests {
    func session(_ level: ControlLevel) -> (ControlSession, FakeResponder) {
        let responder = FakeResponder()
        return (ControlSession(level: level, responder: responder, pid: 7), responder)
    }

    @Test func test_levelUser_refusesAWriteInBothDialects_withoutAskingTheResponder() async {
        let (session, responder) = session(.user)
        let json = await session.answer(#"{"v":1,"cmd":"reload"}"#)
        #expect(json == .init(text: #"{"v":1,"ok":false,"error":"permission denied: reload needs level admin, this socket is level user"}"# + "\n", close: false))
        let text = await session.answer("set weight app/s1 3")
        #expect(text == .init(text: "Permission denied: server weight needs level operator, this socket is level user.\n\n", close: true))
        #expect(await responder.received.commands.isEmpty)
    }

    @Test func test_levelOperator_drainsButMayNotDisable() async {
        let (session, responder) = session(.operator)
        #expect(await session.answer("set server app/s1 state drain").text == "\n")
        #expect(await session.answer("set server app/s1 state maint").text.hasPrefix("Permission denied: server disable needs level admin"))
        #expect(await responder.received.commands == [.server(backend: "app", server: "s1", action: .drain)])
    }

    @Test func test_runtimeAPI_severalCommandsOnALine_answerInOrder() async {
        let (session, _) = session(.admin)
        let answer = await session.answer("disable server app/zz; show servers state app\r")
        #expect(answer.text.hasPrefix("No such server.\n\n1\n# be_id"))
        #expect(answer.close)
    }
}

/// `show table` in HAProxy 2.6's shape (observed on its stats socket: tables last declared
/// first, one `0x…: key=… use=0 exp=… server_id=… server_key=…` line per entry).
@Suite struct ShowTableAnswerTests {
    static let tables = [
        StickTableView(name: "web", type: "ip", size: 1024, entries: [
            .init(key: "127.0.0.1", expiresIn: 29_976, serverID: 1, serverName: "s1"),
            .init(key: "127.0.0.2", expiresIn: nil, serverID: 2, serverName: "s2"),
        ]),
        StickTableView(name: "other", type: "string", size: 10, entries: []),
    ]

    @Test func test_showTable_listsEachTable_lastDeclaredFirst() {
        #expect(RuntimeAPIAnswer.showTable(Self.tables, name: nil, key: nil)
            == "# table: other, type: string, size:10, used:0\n# table: web, type: ip, size:1024, used:2\n\n")
    }

    @Test func test_showTableName_printsItsEntries() {
        #expect(RuntimeAPIAnswer.showTable(Self.tables, name: "web", key: nil) == """
            # table: web, type: ip, size:1024, used:2
            0x1: key=127.0.0.1 use=0 exp=29976 server_id=1 server_key=s1
            0x2: key=127.0.0.2 use=0 exp=0 server_id=2 server_key=s2


            """)
        #expect(RuntimeAPIAnswer.showTable(Self.tables, name: "web", key: "127.0.0.2").hasSuffix("0x2: key=127.0.0.2 use=0 exp=0 server_id=2 server_key=s2\n\n"))
    }

    @Test func test_unknownTable_answersAsHAProxy() {
        #expect(RuntimeAPIAnswer.showTable(Self.tables, name: "nope", key: nil) == "No such table\n\n")
    }
}
