import Control
import Proxy
import VRRP

/// `hactl status` from what the engine and the proxy report: pure mappings, tested without a node.
extension StatusReport.Instance {
    init(_ status: VRRPInstanceStatus) {
        self.init(
            name: status.name,
            state: StatusReport.VRRPState(rawValue: status.state) ?? .initialize,
            basePriority: status.basePriority,
            effectivePriority: status.priority,
            terms: status.terms.map {
                StatusReport.Term(name: $0.name, kind: StatusReport.TermKind(vrrpKind: $0.kind), value: String($0.value), fault: $0.fault)
            },
            vips: status.virtualAddresses.map(\.address),
            vipsHeld: !status.virtualAddresses.isEmpty && status.virtualAddresses.allSatisfy(\.held),
            masterSeen: status.master.map { StatusReport.MasterSeen(address: $0, priority: status.masterPriority ?? 0) },
            lastAdvertMsAgo: status.millisecondsSinceLastAdvert.map { Int($0) },
            adverts: StatusReport.Adverts(sent: status.advertsSent, received: status.advertsReceived, dropped: status.drops),
            transitions: status.transitions.map {
                StatusReport.Transition(from: StatusReport.VRRPState(rawValue: $0.from) ?? .initialize,
                                        to: StatusReport.VRRPState(rawValue: $0.to) ?? .initialize,
                                        reason: $0.reason, at: $0.unixMilliseconds)
            },
            failoverHold: status.failoverHold != nil
        )
        transitionsTotal = status.transitionsTotal
        witness = status.witness.map {
            StatusReport.Witness(address: $0.address, reachable: $0.reachable, peerReachable: $0.peerReachable, isolated: $0.isolated)
        }
    }
}

extension StatusReport.TermKind {
    /// The engine names a term's kind as the keyword that made it (`track_script` ...).
    init(vrrpKind kind: String) {
        switch kind {
        case "interface", "track_interface": self = .interface
        case "file", "track_file": self = .file
        case "proxy", "track_proxy": self = .proxy
        case "sync_group", "syncGroup": self = .syncGroup
        case "vrrp_witness": self = .witness
        default: self = .script
        }
    }
}

extension StatusReport.Frontend {
    init(_ frontend: ProxyStatistics.Frontend) {
        self.init(name: frontend.name, state: frontend.status == .open ? .open : .stop,
                  currentSessions: frontend.counters.currentSessions, totalSessions: frontend.counters.totalSessions,
                  traffic: StatusReport.Traffic(frontend.counters))
    }
}

extension StatusReport.Backend {
    init(_ backend: ProxyStatistics.Backend) {
        let servers = backend.servers.map(StatusReport.Server.init)
        self.init(name: backend.name, state: servers.contains { $0.state == .up } ? .up : .down, servers: servers,
                  traffic: StatusReport.Traffic(backend.counters))
    }
}

extension StatusReport.Server {
    init(_ server: ProxyStatistics.Server) {
        let counters = server.counters
        self.init(
            name: server.name,
            address: server.address,
            state: StatusReport.ServerState(rawValue: server.status.rawValue) ?? .down,
            check: server.lastCheckResult.map { StatusReport.Check(result: $0.passed ? "passed" : "failed", reason: $0.reason) },
            weight: server.weight,
            admin: StatusReport.ServerAdmin(rawValue: server.adminState.rawValue) ?? .ready,
            currentSessions: counters.currentSessions,
            totalSessions: counters.totalSessions,
            queue: server.queueLength,
            responses: StatusReport.Responses(informational: counters.responses1xx, success: counters.responses2xx,
                                              redirection: counters.responses3xx, clientError: counters.responses4xx,
                                              serverError: counters.responses5xx, other: counters.responsesOther),
            errors: counters.connectionErrors + counters.responseErrors,
            lastChangeSecondsAgo: server.secondsSinceLastChange ?? 0,
            traffic: StatusReport.Traffic(counters)
        )
    }
}

extension StatusReport.Traffic {
    init(_ counters: TrafficCounters) {
        self.init(
            currentSessions: counters.currentSessions, totalSessions: counters.totalSessions,
            bytesIn: counters.bytesIn, bytesOut: counters.bytesOut, denied: counters.denied,
            requestErrors: counters.requestErrors, connectionErrors: counters.connectionErrors,
            responseErrors: counters.responseErrors, retries: counters.retries, redispatches: counters.redispatches,
            queue: counters.queueCurrent, queueMax: counters.queueMax,
            responses: StatusReport.Responses(informational: counters.responses1xx, success: counters.responses2xx,
                                              redirection: counters.responses3xx, clientError: counters.responses4xx,
                                              serverError: counters.responses5xx, other: counters.responsesOther)
        )
    }
}
