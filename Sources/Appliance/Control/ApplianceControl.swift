import Control
import HACore
import NIOCore
import PeerLink
import Proxy
import Synchronization
import VRRP

#if canImport(Glibc)
import Glibc
#endif

/// Answers the control socket (`hactl status`, `hactl failover`, the maintenance commands and
/// HAProxy's runtime API) from the running node: reads come from the engine's and the proxy's
/// own reports, changes go through their public control APIs. Nothing here is on the data path.
final class ApplianceControl: ControlResponder {
    /// What does not change while the node runs.
    struct Node: Sendable {
        var role: String
        var hostname: String
        var version: String
        var files: [String]
        var started: ContinuousClock.Instant
    }

    private let node: Node
    let proxy: SupervisedProxy?
    private let vrrp: VRRPEngine?
    private let reloader: ConfigurationReloader
    private let peerLink: PeerLink?
    private let overrideSync: OverrideSync?
    /// The files' digests, read at start and after each reload.
    private let digests: Mutex<[StatusReport.File]>

    init(node: Node, proxy: SupervisedProxy?, vrrp: VRRPEngine?, reloader: ConfigurationReloader, peerLink: PeerLink? = nil,
         overrideSync: OverrideSync? = nil) {
        self.peerLink = peerLink
        self.overrideSync = overrideSync
        self.node = node
        self.proxy = proxy
        self.vrrp = vrrp
        self.reloader = reloader
        self.digests = Mutex(Self.digests(of: node.files))
    }

    func respond(to command: ControlCommand, level: ControlLevel) async -> ControlReply {
        switch command {
        case .status:
            return .status(await status())
        case .reload:
            return await reload()
        case .failover(let request):
            return await failover(request)
        case .server(let backend, let server, let action):
            return await serverCommand(backend: backend, server: server, action)
        case .frontend(let name, let action):
            return await frontendCommand(name, action)
        }
    }

    // MARK: status

    func status() async -> StatusReport {
        let instances = await vrrp?.status() ?? []
        let statistics = await proxy?.host?.snapshot()
        let last = await reloader.last
        let observation = proxy?.probe.observation
        return StatusReport(
            node: StatusReport.Node(
                role: node.role, hostname: node.hostname, version: node.version,
                uptimeSeconds: Int(node.started.duration(to: .now).components.seconds),
                files: digests.withLock { $0 },
                lastReload: last.map { StatusReport.Reload(at: $0.atUnixMilliseconds, result: $0.outcome.statusResult, detail: $0.outcome.operatorText) }
            ),
            instances: instances.map(StatusReport.Instance.init),
            proxy: StatusReport.ProxyStatus(
                up: proxy.map { $0.probe.isUp } ?? true,
                reason: proxy == nil ? "no frontends configured" : (observation?.reason ?? ""),
                probeLatencyMs: observation?.lastRoundMilliseconds,
                restarts: proxy?.restarts ?? 0
            ),
            frontends: statistics?.frontends.map(StatusReport.Frontend.init) ?? [],
            backends: statistics?.backends.map(StatusReport.Backend.init) ?? [],
            peer: peerLink.map { StatusReport.Peer($0.status) }
        )
    }

    // MARK: reload

    private func reload() async -> ControlReply {
        let outcome = await reloader.reload()
        digests.withLock { $0 = Self.digests(of: node.files) }
        switch outcome {
        case .rejected, .failed:
            return .failed(.other(outcome.operatorText))
        case .unchanged, .applied:
            return .done(message: outcome.operatorText)
        }
    }

    // MARK: failover

    private func failover(_ request: ControlCommand.Failover) async -> ControlReply {
        guard let vrrp else { return .failed(.other("this node runs no VRRP instance")) }
        let started = ContinuousClock.now
        // VRRP backups are silent: only the peer link tells a MASTER that its peer is alive, and
        // whether the peer's proxy could take the traffic.
        var force = request.force
        var preface: [String] = []
        if !request.clear, !force, let status = peerLink?.status, status.up, let health = status.lastHealth {
            guard health.proxyUp else {
                return .failed(.other("refused: peer \(status.peerName)'s proxy is DOWN (\(health.proxyReason)); handing the VIPs over would leave no working proxy. --force does it anyway"))
            }
            force = true
            preface.append("peer \(status.peerName) is up over the peer link with its proxy UP")
        }
        let outcomes = request.clear
            ? await vrrp.clearFailover(instance: request.instance)
            : await vrrp.failover(instance: request.instance, force: force)
        if let unknown = outcomes.first(where: { $0.result == .unknownInstance }) {
            return .failed(.noSuchInstance(unknown.instance))
        }
        var lines = preface + outcomes.map { "\($0.instance): \($0.previousState) -> \($0.newState): \($0.message)" }
        if request.wait {
            for outcome in outcomes where outcome.changed {
                let expected = outcome.newState
                let reached = await vrrp.awaitState(instance: outcome.instance, matching: { status in
                    status.state == expected && status.virtualAddresses.allSatisfy { $0.held == (expected == "MASTER") }
                }, timeout: .seconds(10))
                let took = started.duration(to: .now)
                lines.append(reached == nil
                    ? "\(outcome.instance): not \(expected) within 10 s"
                    : "\(outcome.instance): \(expected) with the VIPs \(expected == "MASTER" ? "held" : "released") after \(took.milliseconds) ms")
            }
        }
        let text = lines.joined(separator: "\n")
        return outcomes.contains(where: \.changed) || outcomes.isEmpty ? .done(message: text) : .failed(.other(text))
    }

    // MARK: maintenance

    private func serverCommand(backend: String, server: String, _ action: ControlCommand.ServerAction) async -> ControlReply {
        guard let host = proxy?.host else { return .failed(.other("the proxy is not running")) }
        do {
            switch action {
            case .disable: try await host.setServerAdmin(backend: backend, server: server, .maint)
            case .enable: try await host.setServerAdmin(backend: backend, server: server, .ready)
            case .drain: try await host.setServerAdmin(backend: backend, server: server, .drain)
            case .weight(let weight): try await host.setServerWeight(backend: backend, server: server, weight: weight)
            }
        } catch {
            return .failed(Self.failure(error))
        }
        // The peer applies it too, so the change survives a failover.
        switch action {
        case .disable: overrideSync?.recordLocal(backend: backend, server: server, field: .admin, value: ServerAdminState.maint.rawValue)
        case .enable: overrideSync?.recordLocal(backend: backend, server: server, field: .admin, value: ServerAdminState.ready.rawValue)
        case .drain: overrideSync?.recordLocal(backend: backend, server: server, field: .admin, value: ServerAdminState.drain.rawValue)
        case .weight(let weight): overrideSync?.recordLocal(backend: backend, server: server, field: .weight, value: "\(weight)")
        }
        let what: String = switch action {
        case .disable: "in maintenance (MAINT): no traffic, health checks stopped"
        case .enable: "ready"
        case .drain: "draining: no new sessions, persisted clients still served"
        case .weight(let weight): "weight \(weight)"
        }
        return .done(message: "\(backend)/\(server): \(what)")
    }

    private func frontendCommand(_ name: String, _ action: ControlCommand.FrontendAction) async -> ControlReply {
        guard let host = proxy?.host else { return .failed(.other("the proxy is not running")) }
        do {
            try await host.setFrontendEnabled(name, enabled: action == .enable)
        } catch {
            return .failed(Self.failure(error))
        }
        return .done(message: action == .enable
            ? "frontend \(name): accepting again"
            : "frontend \(name): stopped accepting; open sessions finish (the liveness probe now fails: a MASTER hands its VIPs over)")
    }

    static func failure(_ error: ProxyControlError) -> ControlFailure {
        switch error {
        case .unknownBackend(let name, _): .noSuchBackend(name)
        case .unknownServer(let backend, let server, _): .noSuchServer(backend: backend, server: server)
        case .unknownFrontend(let name, _): .noSuchFrontend(name)
        default: .other(error.description)
        }
    }

    // MARK: node facts

    static func digests(of files: [String]) -> [StatusReport.File] {
        files.map { path in
            guard let handle = fopen(path, "rb") else { return StatusReport.File(path: path, sha256: "unreadable") }
            defer { fclose(handle) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let read = fread(&chunk, 1, chunk.count, handle)
                if read <= 0 { break }
                bytes += chunk[0..<read]
            }
            return StatusReport.File(path: path, sha256: SHA256.hexDigest(bytes))
        }
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension StatusReport.Peer {
    init(_ status: PeerLink.Status) {
        self.init(
            name: status.peerName, up: status.up,
            since: status.since.map { Int64($0.timeIntervalSince1970 * 1000) },
            proxyUp: status.lastHealth?.proxyUp, proxyReason: status.lastHealth?.proxyReason,
            instances: status.lastHealth?.instances.map { StatusReport.PeerInstance(name: $0.name, state: $0.state, priority: $0.priority) } ?? []
        )
    }
}

extension ConfigurationReloader.Outcome {
    var statusResult: StatusReport.ReloadResult {
        switch self {
        case .rejected: .rejected
        case .failed: .failed
        case .unchanged: .unchanged
        case .applied: .applied
        }
    }

    /// What `hactl reload` prints: every change applied or not, every error at its line.
    var operatorText: String {
        switch self {
        case .rejected(let errors):
            return (["rejected: the configuration has errors, nothing changed"] + errors.errors.map(\.description)).joined(separator: "\n")
        case .failed(let reason):
            return "failed, nothing changed: \(reason)"
        case .unchanged:
            return "unchanged: the files say what already runs"
        case .applied(let report):
            var lines = report.applied.map { change in "applied: \(change)" + (report.details[change].map { " (\($0))" } ?? "") }
            lines += report.needsRestart.map { "needs a restart: \($0.change) (\($0.reason))" }
            lines += report.failed.map { "not applied, the previous setting still runs: \($0.change) (\($0.reason))" }
            return lines.joined(separator: "\n")
        }
    }
}
