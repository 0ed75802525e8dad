/// The text answers of the runtime-API dialect, produced from a `StatusReport`.
///
/// Formats follow HAProxy 2.6's management guide and its observed output: every answer ends
/// with an empty line; a successful change answers with the empty line alone.
public enum RuntimeAPIAnswer {
    /// `show stat`'s columns: HAProxy 2.6's generic statistics fields, in its order (management
    /// guide §9.1). HAProxy appends per-module columns (ssl, h2, h1) after a `-` column; hactl
    /// has no such modules and stops at `agg_check_status`.
    public static let statColumns: [String] = [
        "pxname", "svname", "qcur", "qmax", "scur", "smax", "slim", "stot", "bin", "bout", "dreq", "dresp", "ereq",
        "econ", "eresp", "wretr", "wredis", "status", "weight", "act", "bck", "chkfail", "chkdown", "lastchg",
        "downtime", "qlimit", "pid", "iid", "sid", "throttle", "lbtot", "tracked", "type", "rate", "rate_lim",
        "rate_max", "check_status", "check_code", "check_duration", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx",
        "hrsp_5xx", "hrsp_other", "hanafail", "req_rate", "req_rate_max", "req_tot", "cli_abrt", "srv_abrt",
        "comp_in", "comp_out", "comp_byp", "comp_rsp", "lastsess", "last_chk", "last_agt", "qtime", "ctime", "rtime",
        "ttime", "agent_status", "agent_code", "agent_duration", "check_desc", "agent_desc", "check_rise",
        "check_fall", "check_health", "agent_rise", "agent_fall", "agent_health", "addr", "cookie", "mode", "algo",
        "conn_rate", "conn_rate_max", "conn_tot", "intercepted", "dcon", "dses", "wrew", "connect", "reuse",
        "cache_lookups", "cache_hits", "srv_icur", "src_ilim", "qtime_max", "ctime_max", "rtime_max", "ttime_max",
        "eint", "idle_conn_cur", "safe_conn_cur", "used_conn_cur", "need_conn_est", "uweight", "agg_server_status",
        "agg_server_check_status", "agg_check_status",
    ]

    /// `show servers state`'s columns, for format version 1.
    public static let serversStateColumns: [String] = [
        "be_id", "be_name", "srv_id", "srv_name", "srv_addr", "srv_op_state", "srv_admin_state", "srv_uweight",
        "srv_iweight", "srv_time_since_last_change", "srv_check_status", "srv_check_result", "srv_check_health",
        "srv_check_state", "srv_agent_state", "bk_f_forced_id", "srv_f_forced_id", "srv_fqdn", "srv_port", "srvrecord",
        "srv_use_ssl", "srv_check_port", "srv_check_addr", "srv_agent_addr", "srv_agent_port",
    ]

    // MARK: show info

    /// `show info`: `Name: value` lines for the fields hactl has.
    public static func showInfo(_ report: StatusReport, pid: Int32) -> String {
        let uptime = report.node.uptimeSeconds
        let current = report.frontends.reduce(0) { $0 + $1.currentSessions }
        let total = report.frontends.reduce(0) { $0 + $1.totalSessions }
        let days = uptime / 86400, hours = uptime % 86400 / 3600, minutes = uptime % 3600 / 60, seconds = uptime % 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let lines = [
            "Name: hactl",
            "Version: \(report.node.version)",
            "Pid: \(pid)",
            "Uptime: \(days)d \(hours)h\(two(minutes))m\(two(seconds))s",
            "Uptime_sec: \(uptime)",
            "CurrConns: \(current)",
            "CumConns: \(total)",
            "node: \(report.node.hostname)",
            "Stopping: 0",
        ]
        return lines.joined(separator: "\n") + "\n\n"
    }

    // MARK: show stat

    /// `show stat`: the header line, then for each frontend its FRONTEND row, and for each
    /// backend one row per server followed by its BACKEND row (HAProxy's order). Every field is
    /// followed by a comma, as in HAProxy's output; columns hactl has no value for are empty.
    /// Proxies are numbered (`iid`) frontends first, then backends, from 1.
    public static func showStat(_ report: StatusReport) -> String {
        var out = "# " + statColumns.map { $0 + "," }.joined() + "\n"
        var proxyID = 0
        for frontend in report.frontends {
            proxyID += 1
            out += row([
                "pxname": frontend.name, "svname": "FRONTEND",
                "scur": "\(frontend.currentSessions)", "stot": "\(frontend.totalSessions)",
                "status": frontend.state.rawValue, "pid": "1", "iid": "\(proxyID)", "sid": "0", "type": "0",
            ])
        }
        for backend in report.backends {
            proxyID += 1
            var sum = StatusReport.Server(name: "", address: "", state: .up, weight: 0)
            var active = 0
            for (index, server) in backend.servers.enumerated() {
                let check = server.check
                out += row([
                    "pxname": backend.name, "svname": server.name,
                    "qcur": "\(server.queue)", "scur": "\(server.currentSessions)", "stot": "\(server.totalSessions)",
                    "eresp": "\(server.errors)", "status": server.state.rawValue, "weight": "\(server.weight)",
                    "act": "1", "bck": "0", "lastchg": "\(server.lastChangeSecondsAgo)",
                    "pid": "1", "iid": "\(proxyID)", "sid": "\(index + 1)", "type": "2",
                    "check_status": check?.result ?? "", "check_desc": check?.reason ?? "",
                    "addr": server.address, "uweight": "\(server.weight)",
                ] .merging(responseFields(server.responses)) { $1 })
                sum.queue += server.queue
                sum.currentSessions += server.currentSessions
                sum.totalSessions += server.totalSessions
                sum.errors += server.errors
                sum.responses.informational += server.responses.informational
                sum.responses.success += server.responses.success
                sum.responses.redirection += server.responses.redirection
                sum.responses.clientError += server.responses.clientError
                sum.responses.serverError += server.responses.serverError
                sum.responses.other += server.responses.other
                if server.state == .up {
                    active += 1
                    sum.weight += server.weight
                }
            }
            out += row([
                "pxname": backend.name, "svname": "BACKEND",
                "qcur": "\(sum.queue)", "scur": "\(sum.currentSessions)", "stot": "\(sum.totalSessions)",
                "eresp": "\(sum.errors)", "status": backend.state.rawValue, "weight": "\(sum.weight)",
                "act": "\(active)", "bck": "0", "pid": "1", "iid": "\(proxyID)", "sid": "0", "type": "1",
                "uweight": "\(sum.weight)",
            ].merging(responseFields(sum.responses)) { $1 })
        }
        return out + "\n"
    }

    private static func responseFields(_ responses: StatusReport.Responses) -> [String: String] {
        [
            "hrsp_1xx": "\(responses.informational)", "hrsp_2xx": "\(responses.success)",
            "hrsp_3xx": "\(responses.redirection)", "hrsp_4xx": "\(responses.clientError)",
            "hrsp_5xx": "\(responses.serverError)", "hrsp_other": "\(responses.other)",
        ]
    }

    private static func row(_ fields: [String: String]) -> String {
        statColumns.map { csvField(fields[$0] ?? "") + "," }.joined() + "\n"
    }

    /// HAProxy's CSV has no quoting; a value holding a comma or a newline would break the row,
    /// so those characters are replaced by blanks.
    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\n" || $0 == "\r" }) else { return value }
        return String(value.map { $0 == "," || $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    // MARK: show servers state

    /// `show servers state [backend]`: `1`, the column line, one space-separated row per server.
    ///
    /// Field values: `srv_op_state` 0 stopped / 2 running; `srv_admin_state` 0, 0x01 forced
    /// maintenance or 0x08 forced drain; `srv_check_result` 0 unknown (no check), 2 failed,
    /// 3 passed; fields hactl has no equivalent for are `0` or `-`, as HAProxy writes them unset.
    public static func showServersState(_ report: StatusReport, backend: String?) -> String {
        if let backend, !report.backends.contains(where: { $0.name == backend }) {
            return "Can't find backend.\n\n"
        }
        var out = "1\n# " + serversStateColumns.joined(separator: " ") + "\n"
        var proxyID = report.frontends.count
        for candidate in report.backends {
            proxyID += 1
            guard backend == nil || candidate.name == backend else { continue }
            for (index, server) in candidate.servers.enumerated() {
                let (host, port) = splitAddress(server.address)
                let running = server.state == .up || server.state == .drain || server.state == .nolb
                let admin = switch server.admin {
                case .ready: 0
                case .maint: 0x01
                case .drain: 0x08
                }
                let checkResult = switch server.check?.result.lowercased() {
                case nil: 0
                case "passed", "ok", "l4ok", "l6ok", "l7ok", "l7okc": 3
                default: 2
                }
                let fields: [String] = [
                    "\(proxyID)", candidate.name, "\(index + 1)", server.name, host.isEmpty ? "-" : host,
                    running ? "2" : "0", "\(admin)", "\(server.weight)", "\(server.weight)",
                    "\(server.lastChangeSecondsAgo)", "0", "\(checkResult)", "0", "0", "0", "0", "0", "-",
                    port.isEmpty ? "0" : port, "-", "0", "0", "-", "-", "0",
                ]
                out += fields.map { $0.contains(" ") ? $0.replacingBlanks() : $0 }.joined(separator: " ") + "\n"
            }
        }
        return out + "\n"
    }

    /// `host:port`, `[v6]:port` or a bare host → (host, port).
    static func splitAddress(_ address: String) -> (String, String) {
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            let host = String(address[address.index(after: address.startIndex)..<close])
            let rest = address[address.index(after: close)...]
            return (host, rest.hasPrefix(":") ? String(rest.dropFirst()) : "")
        }
        let colons = address.filter { $0 == ":" }.count
        guard colons == 1, let colon = address.lastIndex(of: ":") else { return (address, "") }
        return (String(address[..<colon]), String(address[address.index(after: colon)...]))
    }

    // MARK: help, unknown, replies

    /// The commands hactl's runtime-API dialect understands, in HAProxy's help layout.
    public static let helpLines: [(String, String)] = [
        ("help", "list the commands hactl understands"),
        ("show info", "report information about this hactl process"),
        ("show stat", "report counters for each frontend, backend and server (CSV)"),
        ("show servers state [<backend>]", "report each server's state (servers-state format 1)"),
        ("disable server <bk>/<srv>", "put a server in maintenance (level admin)"),
        ("enable server <bk>/<srv>", "take a server out of maintenance or drain (level operator)"),
        ("set server <bk>/<srv> state <st>", "set a server to ready, drain (operator) or maint (admin)"),
        ("set weight <bk>/<srv> <weight>", "set a server's weight, 0 to 256 (level operator)"),
        ("disable frontend <frontend>", "stop accepting connections on a frontend (level admin)"),
        ("enable frontend <frontend>", "accept connections on a frontend again (level operator)"),
        ("show table [<table> [key <key>]]", "report stick tables, or one table's entries"),
        ("clear table <table> [key <key>]", "remove a stick table's entries, or one (level operator)"),
    ]

    /// `help`'s answer.
    public static func help() -> String {
        "The following commands are valid at this level:\n" + helpBody() + "\n"
    }

    /// The answer to a command hactl does not know; starts with `Unknown command` like HAProxy's.
    public static func unknownCommand() -> String {
        "Unknown command. Please enter one of the following commands only:\n" + helpBody() + "\n"
    }

    private static func helpBody() -> String {
        helpLines.map { command, description in
            "  " + command + String(repeating: " ", count: max(1, 40 - command.count)) + ": " + description + "\n"
        }.joined()
    }

    /// The answer to a command's reply: the empty line alone for success (as HAProxy answers a
    /// successful change), the failure's sentence otherwise.
    public static func reply(_ reply: ControlReply) -> String {
        switch reply {
        case .done:
            return "\n"
        case .status:
            return "\n"
        case .failed(let failure):
            return text(for: failure) + "\n\n"
        }
    }

    /// HAProxy's sentence for the same case where it has one, hactl's otherwise.
    static func text(for failure: ControlFailure) -> String {
        switch failure {
        case .noSuchBackend: "No such backend."
        case .noSuchServer: "No such server."
        case .noSuchFrontend: "No such frontend."
        case .noSuchInstance(let name): "No such instance \(name)."
        case .permissionDenied(let command, let needed, let level):
            "Permission denied: \(command) needs level \(needed.rawValue), this socket is level \(level.rawValue)."
        case .other(let message): message
        }
    }

    /// The answer to a known command with bad arguments.
    public static func invalid(_ message: String) -> String {
        message + "\n\n"
    }
}

extension String {
    fileprivate func replacingBlanks() -> String {
        String(map { $0 == " " ? "_" : $0 })
    }
}
