/// Renders a `StatusReport` as the compact text `hactl status` prints: what an operator paged
/// at 3 a.m. reads first (node, verdict), then instances, proxy, frontends, backends and servers.
///
/// Plain text unless `colours` is set (ANSI: green for MASTER/UP/OPEN, red for FAULT/DOWN/STOP,
/// yellow for the states in between). Times are relative to `now`, which the caller passes in
/// (STYLE.md: time is injected).
public struct StatusRenderer: Sendable {
    /// Whether to colour states with ANSI escapes.
    public var colours: Bool

    public init(colours: Bool = false) {
        self.colours = colours
    }

    /// - Parameters:
    ///   - report: the node's status.
    ///   - nowMs: the current time in milliseconds since the Unix epoch (for "5m ago").
    public func render(_ report: StatusReport, nowMs: Int64) -> String {
        var out: [String] = []
        let node = report.node
        var header = "\(node.hostname)  \(node.role)  hactl \(node.version)  up \(Self.duration(seconds: node.uptimeSeconds))"
        if let reload = node.lastReload {
            let ago = Self.duration(seconds: Int(max(0, nowMs - reload.at) / 1000))
            header += "  reload \(reload.result.rawValue) \(ago) ago"
            if !reload.detail.isEmpty { header += ": \(reload.detail)" }
        }
        out.append(header)
        let verdict = report.verdict
        if verdict.isHealthy {
            out.append(paint("HEALTHY", .good))
        } else {
            out.append(paint("DEGRADED", .bad) + ": " + verdict.reasons.joined(separator: "; "))
        }

        if let peer = report.peer {
            let since = peer.since.map { " since " + Self.duration(seconds: Int(max(0, nowMs - $0) / 1000)) + " ago" } ?? ""
            if peer.up {
                let proxy = peer.proxyUp.map { $0 ? "proxy UP" : paint("proxy DOWN", .bad) + (peer.proxyReason.map { " (\($0))" } ?? "") } ?? "proxy ?"
                let instances = peer.instances.map { "\($0.name) \($0.state) \($0.priority)" }.joined(separator: ", ")
                out.append("PEER  \(peer.name) up\(since), \(proxy)" + (instances.isEmpty ? "" : ", \(instances)"))
            } else {
                out.append("PEER  \(peer.name) " + paint("unreachable", .bad) + "\(since): both nodes may be MASTER")
            }
        }

        if !report.instances.isEmpty {
            out.append("")
            var rows = [["INSTANCE", "STATE", "PRIO", "VIPS", "HELD", "MASTER SEEN", "LAST ADVERT", "SENT/RECV/DROP", "HOLD"]]
            var details: [Int: [String]] = [:]
            for instance in report.instances {
                let dropped = instance.adverts.dropped.values.reduce(0, +)
                rows.append([
                    instance.name,
                    instance.state.rawValue,
                    "\(instance.effectivePriority)/\(instance.basePriority)",
                    instance.vips.isEmpty ? "-" : instance.vips.joined(separator: ","),
                    instance.vipsHeld ? "yes" : "no",
                    instance.masterSeen.map { "\($0.address) (\($0.priority))" } ?? "-",
                    instance.lastAdvertMsAgo.map { Self.milliseconds($0) + " ago" } ?? "-",
                    "\(instance.adverts.sent)/\(instance.adverts.received)/\(dropped)",
                    instance.failoverHold ? "HOLD" : "-",
                ])
                var lines: [String] = []
                if !instance.terms.isEmpty {
                    let terms = instance.terms.map { term in
                        "\(term.name) \(term.kind.rawValue) \(term.value)" + (term.fault ? " " + paint("FAULT", .bad) : "")
                    }
                    lines.append("  track  " + terms.joined(separator: ", "))
                }
                if let witness = instance.witness {
                    let reach = { (yes: Bool) in yes ? "reachable" : paint("unreachable", .bad) }
                    lines.append(
                        "  witness \(witness.address) \(reach(witness.reachable)), peer \(reach(witness.peerReachable))"
                            + (witness.isolated ? ": " + paint("ISOLATED", .bad) + " (not claiming, VIPs released)" : ""))
                }
                if !instance.adverts.dropped.isEmpty {
                    let drops = instance.adverts.dropped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    lines.append("  drops  " + drops.joined(separator: ", "))
                }
                if let last = instance.transitions.last {
                    let ago = Self.duration(seconds: Int(max(0, nowMs - last.at) / 1000))
                    lines.append("  last   \(last.from.rawValue)->\(last.to.rawValue) \(ago) ago: \(last.reason)")
                }
                details[rows.count - 1] = lines
            }
            out += table(rows, colourColumn: 1, details: details)
        }

        out.append("")
        var proxy = "PROXY  " + (report.proxy.up ? paint("up", .good) : paint("DOWN", .bad))
        if let latency = report.proxy.probeLatencyMs { proxy += "  probe \(Self.decimal(latency)) ms" }
        proxy += "  restarts \(report.proxy.restarts)  (\(report.proxy.reason))"
        out.append(proxy)

        if !report.frontends.isEmpty {
            out.append("")
            var rows = [["FRONTEND", "STATE", "CUR", "TOTAL"]]
            for frontend in report.frontends {
                rows.append([frontend.name, frontend.state.rawValue, "\(frontend.currentSessions)", "\(frontend.totalSessions)"])
            }
            out += table(rows, colourColumn: 1)
        }

        for backend in report.backends {
            out.append("")
            let up = backend.servers.filter { $0.state == .up }.count
            out.append("BACKEND \(backend.name)  \(paint(backend.state.rawValue, tone(backend.state.rawValue)))  \(up)/\(backend.servers.count) servers up")
            guard !backend.servers.isEmpty else { continue }
            var rows = [["  SERVER", "ADDRESS", "STATE", "CHECK", "WEIGHT", "ADMIN", "CUR", "TOTAL", "QUEUE", "2XX", "4XX", "5XX", "ERR", "CHANGED"]]
            for server in backend.servers {
                rows.append([
                    "  " + server.name,
                    server.address,
                    server.state.rawValue,
                    server.check.map { $0.reason.isEmpty ? $0.result : "\($0.result): \($0.reason)" } ?? "-",
                    "\(server.weight)",
                    server.admin.rawValue,
                    "\(server.currentSessions)",
                    "\(server.totalSessions)",
                    "\(server.queue)",
                    "\(server.responses.success)",
                    "\(server.responses.clientError)",
                    "\(server.responses.serverError)",
                    "\(server.errors)",
                    Self.duration(seconds: server.lastChangeSecondsAgo) + " ago",
                ])
            }
            out += table(rows, colourColumn: 2)
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: - Layout

    /// Left-aligned columns two spaces apart; `details` are lines printed under a row.
    private func table(_ rows: [[String]], colourColumn: Int? = nil, details: [Int: [String]] = [:]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var lines: [String] = []
        for (rowIndex, row) in rows.enumerated() {
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                let shown = rowIndex > 0 && index == colourColumn ? paint(cell, tone(cell)) : cell
                line += shown + (index == row.count - 1 ? "" : padding + "  ")
            }
            lines.append(line)
            lines += details[rowIndex] ?? []
        }
        return lines
    }

    private enum Tone { case good, warn, bad }

    private func tone(_ state: String) -> Tone {
        switch state {
        case "MASTER", "BACKUP", "UP", "OPEN": return state == "BACKUP" ? .warn : .good
        case "FAULT", "DOWN", "STOP": return .bad
        default: return .warn
        }
    }

    private func paint(_ text: String, _ tone: Tone) -> String {
        guard colours else { return text }
        let code = switch tone {
        case .good: "32"
        case .warn: "33"
        case .bad: "31"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    // MARK: - Numbers

    /// `45s`, `12m05s`, `4h12m`, `3d04h`.
    static func duration(seconds: Int) -> String {
        let s = max(0, seconds)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(two(s % 60))s" }
        if s < 86400 { return "\(s / 3600)h\(two(s % 3600 / 60))m" }
        return "\(s / 86400)d\(two(s % 86400 / 3600))h"
    }

    /// `850ms`, `1.2s`.
    static func milliseconds(_ ms: Int) -> String {
        ms < 1000 ? "\(ms)ms" : decimal(Double(ms) / 1000) + "s"
    }

    /// One decimal place, without Foundation's locale-dependent formatting.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
