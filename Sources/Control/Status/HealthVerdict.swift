/// The one-word answer `hactl status` exits with, and why.
///
/// Exit code 0 (healthy): the proxy is up and every VRRP instance is MASTER or BACKUP.
/// Exit code 1 (degraded): any instance in FAULT or INIT, the proxy down, or a backend with no
/// server UP. Monitoring runs `hactl status` and alerts on a non-zero exit; `reasons` is what the
/// alert says.
public struct HealthVerdict: Sendable, Equatable {
    /// 0 healthy, 1 degraded.
    public var exitCode: Int32
    /// One line per problem, in report order; empty when healthy.
    public var reasons: [String]

    public var isHealthy: Bool { exitCode == 0 }

    public init(exitCode: Int32, reasons: [String]) {
        self.exitCode = exitCode
        self.reasons = reasons
    }

    /// Computes the verdict from a report. Pure: the same report always gives the same verdict.
    public init(_ report: StatusReport) {
        var reasons: [String] = []
        if !report.proxy.up {
            reasons.append("proxy down: \(report.proxy.reason)")
        }
        for instance in report.instances {
            switch instance.state {
            case .master, .backup:
                break
            case .fault, .initialize:
                let faults = instance.terms.filter(\.fault).map(\.name)
                let because = faults.isEmpty ? "" : " (\(faults.joined(separator: ", ")))"
                reasons.append("instance \(instance.name) is \(instance.state.rawValue)\(because)")
            }
        }
        for backend in report.backends where !backend.servers.contains(where: { $0.state == .up }) {
            reasons.append("backend \(backend.name) has no server UP")
        }
        self.init(exitCode: reasons.isEmpty ? 0 : 1, reasons: reasons)
    }
}

extension StatusReport {
    /// `HealthVerdict(self)`.
    public var verdict: HealthVerdict { HealthVerdict(self) }
}
