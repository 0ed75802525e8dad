public import HACore
public import HAConfig
#if canImport(Glibc)
import Glibc
#endif

/// One alert mail before it is addressed: keepalived's `smtp_alert` shape, a subject naming the
/// node (`router_id`) and what changed, and a one-line body saying why.
public struct MailAlert: Sendable, Equatable {
    public var subject: String
    public var body: String

    public init(subject: String, body: String) {
        self.subject = subject
        self.body = body
    }

    /// The message as RFC 5322 text (CRLF line ends, no final dot): the headers, a blank line,
    /// the body. SMTP's dot-stuffing is `SMTPDialogue`'s job.
    public func message(from: String, to recipients: [String], date: String) -> String {
        [
            "From: \(from)",
            "To: \(recipients.joined(separator: ", "))",
            "Date: \(date)",
            "Subject: \(subject)",
            "X-Mailer: hactl",
            "",
            body,
        ].joined(separator: "\r\n")
    }

    /// RFC 5322 §3.3 date-time in UTC, e.g. `Mon, 30 Nov 2026 23:30:00 +0000`.
    public static func rfc5322Date(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S +0000", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Which `HAEvent`s become mails, as keepalived reads `smtp_alert`: an instance's transitions
/// when the instance, one of its sync groups or `global_defs` says `smtp_alert`; server UP/DOWN
/// and the proxy's liveness verdict (keepalived's checker alerts) when `global_defs` says it.
public struct MailAlertPolicy: Sendable, Equatable {
    /// `router_id`, else the host name (keepalived's default): the subject's `[...]`.
    public var routerID: String
    /// The instances whose transitions are mailed.
    public var instances: Set<String>
    /// Server UP/DOWN and proxy liveness changes are mailed (`smtp_alert` in `global_defs`).
    public var checkerAlerts: Bool

    public init(routerID: String, instances: Set<String>, checkerAlerts: Bool) {
        self.routerID = routerID
        self.instances = instances
        self.checkerAlerts = checkerAlerts
    }

    public init(configuration: Configuration, hostname: String) {
        let global = configuration.global.smtpAlert ?? false
        let grouped = Set(configuration.vrrpSyncGroups.filter(\.smtpAlert).flatMap(\.members))
        self.init(
            routerID: configuration.global.routerID ?? hostname,
            instances: Set(configuration.vrrpInstances.map(\.name).filter { name in
                global || grouped.contains(name) || configuration.vrrpInstances.contains { $0.name == name && $0.smtpAlert }
            }),
            checkerAlerts: global
        )
    }

    /// Nothing would ever be mailed.
    public var isEmpty: Bool { instances.isEmpty && !checkerAlerts }

    /// The mail for `event`, or nil when it is not one to mail. Like keepalived, only entering
    /// MASTER, BACKUP or FAULT is mailed (not INIT or the stop).
    public func alert(for event: HAEvent) -> MailAlert? {
        switch event {
        case .vrrpTransition(let instance, let from, let to, let reason):
            guard instances.contains(instance), ["MASTER", "BACKUP", "FAULT"].contains(to) else { return nil }
            let what = switch to {
            case "MASTER": "now holds its virtual IP addresses"
            case "BACKUP": "no longer holds its virtual IP addresses"
            default: "is in FAULT and holds no virtual IP address"
            }
            return MailAlert(
                subject: "[\(routerID)] VRRP Instance \(instance) - Entering \(to) state",
                body: "=> VRRP instance \(instance) \(what) (was \(from); reason: \(reason)) <="
            )
        case .serverHealth(let backend, let server, let up, let reason) where checkerAlerts:
            return MailAlert(
                subject: "[\(routerID)] Server \(server) of backend \(backend) - \(up ? "UP" : "DOWN")",
                body: "=> server \(backend)/\(server) is \(up ? "UP" : "DOWN"): \(reason) <="
            )
        case .proxyHealth(let up, let reason) where checkerAlerts:
            return MailAlert(
                subject: "[\(routerID)] Proxy - \(up ? "UP" : "DOWN")",
                body: "=> the proxy's liveness probe says \(up ? "UP" : "DOWN"): \(reason) <="
            )
        default:
            return nil
        }
    }
}
