/// The statistics page the proxy serves at `stats uri`: one self-contained HTML document (no
/// script, font or stylesheet from elsewhere: it works on an air-gapped appliance), the VRRP
/// instances on top, then per frontend and backend the table HAProxy's users read.
///
/// Written for hactl (HAProxy's page is GPL and is not copied): its own layout and colours.
/// Every figure is from one `StatusReport`, the value `hactl status --json` prints; cells carry
/// class names (`scur`, `stot`, `bin`, ...) and rows `data-state`, so tests read the DOM.
public enum StatsPageRenderer {
    /// What the page needs besides the report.
    public struct Options: Sendable {
        /// The page's URI (`stats uri`), for the admin forms and the CSV/JSON links.
        public var uri: String
        /// `stats refresh` in seconds: the page reloads itself.
        public var refreshSeconds: Int?
        /// `stats admin` holds for this client: the server buttons are shown.
        public var admin: Bool
        /// `stats hide-version`.
        public var hideVersion: Bool
        /// A line shown above the tables (the result of the last admin action).
        public var notice: String?

        public init(uri: String, refreshSeconds: Int? = nil, admin: Bool = false, hideVersion: Bool = false, notice: String? = nil) {
            self.uri = uri
            self.refreshSeconds = refreshSeconds
            self.admin = admin
            self.hideVersion = hideVersion
            self.notice = notice
        }
    }

    public static let contentType = "text/html; charset=utf-8"

    public static func render(_ report: StatusReport, options: Options) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        if let refresh = options.refreshSeconds { html += "<meta http-equiv=\"refresh\" content=\"\(refresh)\">\n" }
        html += "<title>hactl statistics: \(escape(report.node.hostname))</title>\n<style>\(style)</style></head>\n<body>\n"
        html += "<header><h1>hactl statistics</h1><p class=\"node\">node <b>\(escape(report.node.hostname))</b>"
        html += " &middot; role \(escape(report.node.role))"
        if !options.hideVersion { html += " &middot; version <span class=\"version\">\(escape(report.node.version))</span>" }
        html += " &middot; up \(duration(report.node.uptimeSeconds))"
        if let refresh = options.refreshSeconds { html += " &middot; refreshes every \(refresh) s" }
        html += " &middot; <a href=\"\(escape(link(options.uri, ";csv")))\">CSV</a> <a href=\"\(escape(link(options.uri, ";json")))\">JSON</a></p></header>\n"
        if let notice = options.notice { html += "<p class=\"notice\">\(escape(notice))</p>\n" }

        html += instances(report)
        html += "<section id=\"proxy\"><h2>Proxy</h2><p class=\"liveness \(report.proxy.up ? "up" : "down")\">liveness probe: <b>\(report.proxy.up ? "UP" : "DOWN")</b>"
        if !report.proxy.reason.isEmpty { html += " (\(escape(report.proxy.reason)))" }
        if let latency = report.proxy.probeLatencyMs { html += ", last round trip \(format(latency)) ms" }
        html += ", restarts \(report.proxy.restarts)</p>\n"
        for frontend in report.frontends { html += frontendTable(frontend) }
        for backend in report.backends { html += backendTable(backend, options: options) }
        html += "</section>\n<footer>Legend: <span class=\"st UP\">UP</span> <span class=\"st DOWN\">DOWN</span> "
        html += "<span class=\"st DRAIN\">DRAIN</span> <span class=\"st MAINT\">MAINT</span> <span class=\"st NOLB\">NOLB</span> &middot; "
        html += "bytes in/out as the proxy counted them; errors req/conn/resp; warnings retries/redispatches.</footer>\n</body></html>\n"
        return html
    }

    // MARK: VRRP

    static func instances(_ report: StatusReport) -> String {
        var html = "<section id=\"vrrp\"><h2>VRRP instances</h2>\n"
        guard !report.instances.isEmpty else { return html + "<p>No VRRP instance on this node.</p></section>\n" }
        html += "<table class=\"vrrp\"><thead><tr><th>Instance</th><th>State</th><th>Priority</th><th>Terms</th><th>VIPs</th>"
        html += "<th>Master seen</th><th>Adverts sent/recv</th><th>Dropped</th><th>Last transitions</th></tr></thead><tbody>\n"
        for i in report.instances {
            html += "<tr id=\"vrrp-\(escape(i.name))\" data-state=\"\(i.state.rawValue)\"><td class=\"name\">\(escape(i.name))</td>"
            html += "<td class=\"st \(i.state.rawValue)\">\(i.state.rawValue)\(i.failoverHold ? " (hold)" : "")</td>"
            html += "<td class=\"prio\"><b>\(i.effectivePriority)</b> (base \(i.basePriority))</td><td>"
            html += i.terms.map { "<span class=\"term\(($0.fault ? " fault" : ""))\">\(escape($0.name)) \(escape($0.value))</span>" }.joined(separator: " ")
            html += "</td><td>\(i.vips.map(escape).joined(separator: "<br>"))\(i.vips.isEmpty ? "" : (i.vipsHeld ? " <i>held</i>" : " <i>not held</i>"))</td>"
            html += "<td>\(i.masterSeen.map { "\(escape($0.address)) (prio \($0.priority))" } ?? "-")</td>"
            html += "<td class=\"adverts\">\(i.adverts.sent) / \(i.adverts.received)</td>"
            let dropped = i.adverts.dropped.sorted { $0.key < $1.key }.map { "\(escape($0.key)) \($0.value)" }
            html += "<td>\(dropped.isEmpty ? "0" : dropped.joined(separator: ", "))</td><td class=\"transitions\">"
            html += i.transitions.suffix(3).reversed().map {
                "\($0.from.rawValue) &rarr; \($0.to.rawValue): \(escape($0.reason))"
            }.joined(separator: "<br>")
            html += "</td></tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    // MARK: proxy tables

    static let header = "<thead><tr><th rowspan=\"2\">Name</th><th rowspan=\"2\">Status</th><th rowspan=\"2\">Last check</th>"
        + "<th rowspan=\"2\">Wght</th><th colspan=\"2\">Queue</th><th colspan=\"2\">Sessions</th><th colspan=\"2\">Bytes</th>"
        + "<th rowspan=\"2\">Denied</th><th colspan=\"3\">Errors</th><th colspan=\"2\">Warnings</th><th colspan=\"6\">Responses</th>"
        + "<th rowspan=\"2\">Last change</th><th rowspan=\"2\">Admin</th></tr>\n"
        + "<tr><th>Cur</th><th>Max</th><th>Cur</th><th>Total</th><th>In</th><th>Out</th><th>Req</th><th>Conn</th><th>Resp</th>"
        + "<th>Retr</th><th>Redis</th><th>1xx</th><th>2xx</th><th>3xx</th><th>4xx</th><th>5xx</th><th>Other</th></tr></thead>\n"

    static func frontendTable(_ frontend: StatusReport.Frontend) -> String {
        let t = frontend.traffic ?? StatusReport.Traffic(currentSessions: frontend.currentSessions, totalSessions: frontend.totalSessions)
        var html = "<table class=\"px frontend\" id=\"fe-\(escape(frontend.name))\"><caption>frontend <b>\(escape(frontend.name))</b></caption>\n\(header)<tbody>\n"
        html += row(id: "fe-\(frontend.name)-FRONTEND", name: "Frontend", state: frontend.state.rawValue, check: nil, weight: nil,
                    sessions: (frontend.currentSessions, frontend.totalSessions), traffic: t, lastChange: nil, admin: "")
        return html + "</tbody></table>\n"
    }

    static func backendTable(_ backend: StatusReport.Backend, options: Options) -> String {
        var html = "<table class=\"px backend\" id=\"be-\(escape(backend.name))\"><caption>backend <b>\(escape(backend.name))</b></caption>\n\(header)<tbody>\n"
        var sum = StatusReport.Traffic()
        for server in backend.servers {
            let t = server.traffic ?? StatusReport.Traffic(currentSessions: server.currentSessions, totalSessions: server.totalSessions,
                                                           queue: server.queue, responses: server.responses)
            sum.connectionErrors += t.connectionErrors
            sum.responseErrors += t.responseErrors
            html += row(id: "srv-\(backend.name)-\(server.name)", name: server.name, state: server.state.rawValue,
                        check: server.check, weight: server.weight, sessions: (server.currentSessions, server.totalSessions),
                        traffic: t, lastChange: server.lastChangeSecondsAgo,
                        admin: options.admin ? buttons(backend: backend.name, server: server, uri: options.uri) : server.admin.rawValue,
                        address: server.address)
        }
        let t = backend.traffic ?? PrometheusExposition.sum(backend.servers)
        let active = backend.servers.filter { $0.state == .up }
        html += row(id: "be-\(backend.name)-BACKEND", name: "Backend", state: backend.state.rawValue, check: nil,
                    weight: active.reduce(0) { $0 + $1.weight }, sessions: (t.currentSessions, t.totalSessions), traffic: t,
                    lastChange: nil, admin: "\(active.count)/\(backend.servers.count) up", isTotal: true)
        return html + "</tbody></table>\n"
    }

    static func row(id: String, name: String, state: String, check: StatusReport.Check?, weight: Int?, sessions: (Int, Int),
                    traffic t: StatusReport.Traffic, lastChange: Int?, admin: String, address: String? = nil, isTotal: Bool = false) -> String {
        var html = "<tr id=\"\(escape(id))\" data-state=\"\(state)\"\(isTotal ? " class=\"total\"" : "")>"
        html += "<td class=\"name\"\(address.map { " title=\"\(escape($0))\"" } ?? "")>\(escape(name))\(address.map { "<small>\(escape($0))</small>" } ?? "")</td>"
        html += "<td class=\"st \(state) status\">\(state)</td>"
        html += "<td class=\"check\">\(check.map { "<b>\(escape($0.result))</b> \(escape($0.reason))" } ?? "")</td>"
        html += "<td class=\"weight\">\(weight.map(String.init) ?? "")</td>"
        html += cells([("qcur", t.queue), ("qmax", t.queueMax), ("scur", sessions.0), ("stot", sessions.1)])
        html += "<td class=\"bin\">\(bytes(t.bytesIn))</td><td class=\"bout\">\(bytes(t.bytesOut))</td>"
        html += cells([("dreq", t.denied), ("ereq", t.requestErrors), ("econ", t.connectionErrors), ("eresp", t.responseErrors),
                       ("wretr", t.retries), ("wredis", t.redispatches),
                       ("hrsp_1xx", t.responses.informational), ("hrsp_2xx", t.responses.success), ("hrsp_3xx", t.responses.redirection),
                       ("hrsp_4xx", t.responses.clientError), ("hrsp_5xx", t.responses.serverError), ("hrsp_other", t.responses.other)])
        html += "<td class=\"lastchg\">\(lastChange.map(duration) ?? "")</td><td class=\"admin\">\(admin)</td></tr>\n"
        return html
    }

    static func cells(_ values: [(String, Int)]) -> String {
        values.map { "<td class=\"\($0.0)\" data-value=\"\($0.1)\">\($0.1)</td>" }.joined()
    }

    /// The drain / maint / ready buttons: each a form POSTing to the page's URI, so they work
    /// without any script; the proxy runs them through the control socket's code.
    static func buttons(backend: String, server: StatusReport.Server, uri: String) -> String {
        ["ready", "drain", "maint"].map { action in
            let target = link(uri, "action=\(action)&b=\(percentEncoded(backend))&s=\(percentEncoded(server.name))", separator: "?")
            let current = server.admin.rawValue == action
            return "<form method=\"post\" action=\"\(escape(target))\"><button name=\"do\" value=\"\(action)\"\(current ? " disabled" : "")"
                + " class=\"btn-\(action)\">\(action)</button></form>"
        }.joined()
    }

    /// `uri` followed by `suffix`: after `;` for the page's variants (`/stats;csv`), after `?` or
    /// `&` for parameters.
    static func link(_ uri: String, _ suffix: String, separator: Character? = nil) -> String {
        guard let separator else { return uri + suffix }
        return uri + (uri.contains("?") ? ";" : String(separator)) + suffix
    }

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    static func escape(_ text: String) -> String {
        text.escaping(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"])
    }

    static func bytes(_ count: Int) -> String {
        switch count {
        case ..<10_000: return "\(count)"
        case ..<10_000_000: return "\(count / 1000) k"
        case ..<10_000_000_000: return "\(count / 1_000_000) M"
        default: return "\(count / 1_000_000_000) G"
        }
    }

    static func duration(_ seconds: Int) -> String {
        let d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60, s = seconds % 60
        if d > 0 { return "\(d)d\(h)h" }
        if h > 0 { return "\(h)h\(m)m" }
        if m > 0 { return "\(m)m\(s)s" }
        return "\(s)s"
    }

    static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static let style = """
    body{font:13px/1.35 system-ui,sans-serif;margin:1em 1.5em;color:#1c2430;background:#f7f8fa}\
    h1{font-size:20px;margin:0}h2{font-size:16px;margin:1.2em 0 .4em;border-bottom:2px solid #2f5d8a;color:#2f5d8a}\
    .node{margin:.2em 0 1em;color:#4a5566}.notice{background:#fff6d6;border:1px solid #e0c060;padding:.4em .8em}\
    table{border-collapse:collapse;margin:.3em 0 1.2em;background:#fff;box-shadow:0 1px 2px #0002}\
    caption{text-align:left;padding:.3em 0;font-size:14px}th{background:#2f5d8a;color:#fff;font-weight:600;padding:2px 6px;border:1px solid #24496d}\
    td{padding:2px 6px;border:1px solid #d7dce3;text-align:right;white-space:nowrap}td.name,td.check,td.transitions{text-align:left}\
    td.name small{display:block;color:#7a8494;font-size:11px}tr.total td{background:#e9eef5;font-weight:600}\
    .st{font-weight:700;text-align:center}.UP,.OPEN,.MASTER{background:#c9f2c7;color:#145a12}.DOWN,.STOP,.FAULT{background:#f8c4c4;color:#7a1010}\
    .DRAIN,.NOLB{background:#cfe3ff;color:#1d4a8a}.MAINT{background:#e2d2f5;color:#4d2a7a}.BACKUP{background:#fff1c2;color:#6a5200}.INIT{background:#e4e4e4}\
    span.st{padding:0 .4em}.term{display:inline-block;background:#eef1f5;border-radius:3px;padding:0 .3em;margin:1px}.term.fault{background:#f8c4c4}\
    .liveness.up b{color:#145a12}.liveness.down b{color:#a01010}form{display:inline;margin:0}button{font-size:11px;margin:0 1px;cursor:pointer}\
    footer{color:#6a7484;font-size:12px;margin-top:1em}
    """
}
