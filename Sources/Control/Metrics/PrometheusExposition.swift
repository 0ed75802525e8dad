/// The Prometheus text exposition format (version 0.0.4) of a `StatusReport`: what
/// `http-request use-service prometheus-exporter` and `prometheus-uri` answer.
///
/// Metric names and labels are those of HAProxy's exporter where hactl has the same quantity
/// (`haproxy_frontend_*`, `haproxy_backend_*`, `haproxy_server_*` with `proxy` and `server`
/// labels, one-hot `state` labels for statuses, `code` for response classes), so existing
/// dashboards keep working; `hactl_vrrp_*` and `hactl_probe_*` hold the other half.
///
/// Why not swift-metrics with swift-prometheus: their counters are objects updated through a
/// lock or an atomic on every increment, and a `MetricsSystem` factory is process-global. The
/// proxy already keeps plain per-loop integers (`TrafficCounters`) and adds them up when asked
/// (ARCHITECTURE.md: no lock or atomic per request); the VRRP engine keeps its counters on its
/// own loop. Rendering from the report made at scrape time costs nothing per request, gives the
/// exact same numbers as `hactl status` and `show stat`, and needs no bridge that would copy
/// every counter into a registry on each scrape. The format itself is small and fixed.
public enum PrometheusExposition {
    /// The `Content-Type` of the answer.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ report: StatusReport) -> String {
        var out = MetricWriter()
        let frontends = report.frontends
        let backends = report.backends
        let servers = backends.flatMap { backend in backend.servers.map { (backend.name, $0) } }

        // MARK: frontends
        out.family("haproxy_frontend_status", .gauge, "Current status of the service, per state label value.")
        for f in frontends {
            for state in ["DOWN", "UP"] {
                out.sample(["proxy": f.name, "state": state], (f.state == .open) == (state == "UP") ? 1 : 0)
            }
        }
        out.family("haproxy_frontend_current_sessions", .gauge, "Number of current sessions on the frontend.")
        for f in frontends { out.sample(["proxy": f.name], f.currentSessions) }
        out.family("haproxy_frontend_sessions_total", .counter, "Total number of sessions since process started.")
        for f in frontends { out.sample(["proxy": f.name], f.totalSessions) }
        trafficFamilies("frontend", frontends.map { (["proxy": $0.name], $0.traffic ?? StatusReport.Traffic()) }, into: &out,
                        include: [.bytes, .denied, .requestErrors, .responses])

        // MARK: backends
        out.family("haproxy_backend_status", .gauge, "Current status of the service, per state label value.")
        for b in backends {
            for state in ["DOWN", "UP"] { out.sample(["proxy": b.name, "state": state], b.state.rawValue == state ? 1 : 0) }
        }
        out.family("haproxy_backend_active_servers", .gauge, "Number of active UP servers.")
        for b in backends { out.sample(["proxy": b.name], b.servers.filter { $0.state == .up }.count) }
        out.family("haproxy_backend_weight", .gauge, "Service weight: the sum of its active servers' weights.")
        for b in backends { out.sample(["proxy": b.name], b.servers.filter { $0.state == .up }.reduce(0) { $0 + $1.weight }) }
        let backendTraffic = backends.map { (["proxy": $0.name], $0.traffic ?? Self.sum($0.servers)) }
        out.family("haproxy_backend_current_sessions", .gauge, "Number of current sessions on the backend.")
        for (labels, t) in backendTraffic { out.sample(labels, t.currentSessions) }
        out.family("haproxy_backend_sessions_total", .counter, "Total number of sessions since process started.")
        for (labels, t) in backendTraffic { out.sample(labels, t.totalSessions) }
        trafficFamilies("backend", backendTraffic, into: &out,
                        include: [.queue, .bytes, .denied, .connectionErrors, .responseErrors, .warnings, .responses])

        // MARK: servers
        out.family("haproxy_server_status", .gauge, "Current status of the service, per state label value.")
        for (backend, s) in servers {
            for state in ["DOWN", "UP", "MAINT", "DRAIN", "NOLB"] {
                out.sample(["proxy": backend, "server": s.name, "state": state], s.state.rawValue == state ? 1 : 0)
            }
        }
        out.family("haproxy_server_weight", .gauge, "Service weight.")
        for (backend, s) in servers { out.sample(["proxy": backend, "server": s.name], s.weight) }
        out.family("haproxy_server_check_last_change_seconds", .gauge, "Number of seconds since the last UP<->DOWN transition.")
        for (backend, s) in servers { out.sample(["proxy": backend, "server": s.name], s.lastChangeSecondsAgo) }
        out.family("haproxy_server_current_sessions", .gauge, "Number of current sessions on the server.")
        for (backend, s) in servers { out.sample(["proxy": backend, "server": s.name], s.currentSessions) }
        out.family("haproxy_server_sessions_total", .counter, "Total number of sessions since process started.")
        for (backend, s) in servers { out.sample(["proxy": backend, "server": s.name], s.totalSessions) }
        out.family("haproxy_server_current_queue", .gauge, "Number of current queued connections.")
        for (backend, s) in servers { out.sample(["proxy": backend, "server": s.name], s.queue) }
        let serverTraffic = servers.map { backend, s in
            (["proxy": backend, "server": s.name], s.traffic ?? StatusReport.Traffic(responses: s.responses))
        }
        trafficFamilies("server", serverTraffic, into: &out, include: [.bytes, .connectionErrors, .responseErrors, .warnings, .responses])
        // Only stable labels: a label that changes (a check's reason) would start a new series each time.
        out.family("hactl_server_info", .gauge, "The server's address as a label (always 1).")
        for (backend, s) in servers { out.sample(["proxy": backend, "server": s.name, "address": s.address], 1) }

        // MARK: VRRP
        out.family("hactl_vrrp_state", .gauge, "The VRRP instance's state, per state label value (RFC 9568 section 6.4).")
        for i in report.instances {
            for state in StatusReport.VRRPState.allCases {
                out.sample(["instance": i.name, "state": state.rawValue], i.state == state ? 1 : 0)
            }
        }
        out.family("hactl_vrrp_effective_priority", .gauge, "The priority advertised now: base plus the tracked terms.")
        for i in report.instances { out.sample(["instance": i.name], i.effectivePriority) }
        out.family("hactl_vrrp_base_priority", .gauge, "The configured priority.")
        for i in report.instances { out.sample(["instance": i.name], i.basePriority) }
        out.family("hactl_vrrp_vips_held", .gauge, "1 while this node holds the instance's virtual addresses.")
        for i in report.instances { out.sample(["instance": i.name], i.vipsHeld ? 1 : 0) }
        out.family("hactl_vrrp_transitions_total", .counter, "State transitions since start.")
        for i in report.instances { out.sample(["instance": i.name], i.transitionsTotal ?? i.transitions.count) }
        out.family("hactl_vrrp_adverts_sent_total", .counter, "Advertisements sent since start.")
        for i in report.instances { out.sample(["instance": i.name], i.adverts.sent) }
        out.family("hactl_vrrp_adverts_received_total", .counter, "Advertisements received since start.")
        for i in report.instances { out.sample(["instance": i.name], i.adverts.received) }
        out.family("hactl_vrrp_adverts_dropped_total", .counter, "Received advertisements dropped, by reason.")
        for i in report.instances {
            for (reason, count) in i.adverts.dropped.sorted(by: { $0.key < $1.key }) {
                out.sample(["instance": i.name, "reason": reason], count)
            }
        }
        out.family("hactl_vrrp_failover_hold", .gauge, "1 while 'hactl failover' keeps this node from taking MASTER.")
        for i in report.instances { out.sample(["instance": i.name], i.failoverHold ? 1 : 0) }
        let witnessed = report.instances.compactMap { i in i.witness.map { (i.name, $0) } }
        if !witnessed.isEmpty {
            out.family("hactl_vrrp_witness_reachable", .gauge, "1 while the vrrp_witness answered the last probe round.")
            for (name, w) in witnessed { out.sample(["instance": name, "witness": w.address], w.reachable ? 1 : 0) }
            out.family("hactl_vrrp_isolated", .gauge, "1 while neither the peer nor the vrrp_witness is reached (FAULT).")
            for (name, w) in witnessed { out.sample(["instance": name], w.isolated ? 1 : 0) }
        }

        // MARK: liveness probe
        out.family("hactl_probe_up", .gauge, "1 while the proxy's liveness probe passes and the proxy runs.")
        out.sample([:], report.proxy.up ? 1 : 0)
        out.family("hactl_probe_latency_seconds", .gauge, "Round trip of the last liveness probe.")
        if let latency = report.proxy.probeLatencyMs { out.sample([:], latency / 1000) }
        out.family("hactl_probe_restarts_total", .counter, "Times the supervisor restarted the proxy since start.")
        out.sample([:], report.proxy.restarts)
        out.family("hactl_uptime_seconds", .gauge, "Seconds since the process started.")
        out.sample([:], report.node.uptimeSeconds)
        return out.text
    }

    /// Which of HAProxy's traffic families an object kind has.
    enum TrafficFamily {
        case queue, bytes, denied, requestErrors, connectionErrors, responseErrors, warnings, responses
    }

    private static func trafficFamilies(_ kind: String, _ rows: [([String: String], StatusReport.Traffic)],
                                        into out: inout MetricWriter, include: Set<TrafficFamily>) {
        let prefix = "haproxy_\(kind)_"
        func family(_ name: String, _ type: MetricWriter.Kind, _ help: String, _ value: (StatusReport.Traffic) -> Int) {
            out.family(prefix + name, type, help)
            for (labels, t) in rows { out.sample(labels, value(t)) }
        }
        if include.contains(.queue) {
            family("current_queue", .gauge, "Number of current queued connections.") { $0.queue }
            family("max_queue", .gauge, "Highest value of queued connections encountered since process started.") { $0.queueMax }
        }
        if include.contains(.bytes) {
            family("bytes_in_total", .counter, "Total number of request bytes since process started.") { $0.bytesIn }
            family("bytes_out_total", .counter, "Total number of response bytes since process started.") { $0.bytesOut }
        }
        if include.contains(.denied) {
            family("requests_denied_total", .counter, "Total number of denied requests since process started.") { $0.denied }
        }
        if include.contains(.requestErrors) {
            family("request_errors_total", .counter, "Total number of invalid requests since process started.") { $0.requestErrors }
        }
        if include.contains(.connectionErrors) {
            family("connection_errors_total", .counter, "Total number of failed connections to server since the worker process started.") { $0.connectionErrors }
        }
        if include.contains(.responseErrors) {
            family("response_errors_total", .counter, "Total number of invalid responses since the worker process started.") { $0.responseErrors }
        }
        if include.contains(.warnings) {
            family("retry_warnings_total", .counter, "Total number of server connection retries since the worker process started.") { $0.retries }
            family("redispatch_warnings_total", .counter, "Total number of server redispatches due to connection failures since the worker process started.") { $0.redispatches }
        }
        if include.contains(.responses) {
            out.family(prefix + "http_responses_total", .counter, "Total number of HTTP responses with status 100-199 (1xx) ... 500-599 (5xx) or other.")
            for (labels, t) in rows {
                let r = t.responses
                for (code, value) in [("1xx", r.informational), ("2xx", r.success), ("3xx", r.redirection),
                                      ("4xx", r.clientError), ("5xx", r.serverError), ("other", r.other)] {
                    out.sample(labels.merging(["code": code]) { $1 }, value)
                }
            }
        }
    }

    /// A backend's counters from its servers, for reports that carry no backend traffic.
    static func sum(_ servers: [StatusReport.Server]) -> StatusReport.Traffic {
        var total = StatusReport.Traffic()
        for s in servers {
            total.currentSessions += s.currentSessions
            total.totalSessions += s.totalSessions
            total.queue += s.queue
            total.responses.informational += s.responses.informational
            total.responses.success += s.responses.success
            total.responses.redirection += s.responses.redirection
            total.responses.clientError += s.responses.clientError
            total.responses.serverError += s.responses.serverError
            total.responses.other += s.responses.other
        }
        return total
    }
}

/// Writes families (`# HELP`, `# TYPE`, samples) in the text format's escaping rules.
struct MetricWriter {
    enum Kind: String {
        case counter, gauge
    }

    private(set) var text = ""
    private var current = ""
    /// Label names in HAProxy's order first (proxy, server, then the rest alphabetically).
    private static let order = ["instance", "proxy", "server", "state", "code", "reason"]

    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        current = name
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    mutating func sample(_ labels: [String: String], _ value: Int) {
        text += current + Self.labelText(labels) + " \(value)\n"
    }

    mutating func sample(_ labels: [String: String], _ value: Double) {
        text += current + Self.labelText(labels) + " \(value)\n"
    }

    static func labelText(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let names = labels.keys.sorted { a, b in
            let ia = order.firstIndex(of: a) ?? order.count, ib = order.firstIndex(of: b) ?? order.count
            return ia != ib ? ia < ib : a < b
        }
        return "{" + names.map { "\($0)=\"\(escapeLabel(labels[$0] ?? ""))\"" }.joined(separator: ",") + "}"
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabel(_ value: String) -> String {
        value.escaping(["\\": "\\\\", "\"": "\\\"", "\n": "\\n"])
    }

    /// HELP text escapes backslash and line feed.
    static func escapeHelp(_ value: String) -> String {
        value.escaping(["\\": "\\\\", "\n": "\\n"])
    }
}
