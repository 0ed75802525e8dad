public import HACore
public import HAConfig
#if canImport(Glibc)
import Glibc
#endif
public import Logging
public import NIOCore
public import ServiceLifecycle
import NIOPosix
import Synchronization

/// keepalived's `smtp_alert`: the bus subscriber that mails what `MailAlertPolicy` selects to
/// `notification_email` through `smtp_server`.
///
/// Never in VRRP's way: the bus hands events over without waiting, alerts wait in a bounded
/// queue (the oldest dropped when full, counted and logged), and one task delivers whatever is
/// queued over one SMTP connection per batch, with `smtp_connect_timeout`. Failures are logged
/// and counted; the alerts of a failed batch are not retried (the next transition mails again).
public struct MailAlerter: Service {
    /// The mail side of `global_defs`.
    public struct Settings: Sendable {
        public var server: String
        public var from: String
        public var recipients: [String]
        public var connectTimeout: TimeAmount
        public var heloName: String
        /// Alerts waiting at most; keepalived mails each alert, a flapping server would queue without end.
        public var queueCapacity: Int

        public init(server: String, from: String, recipients: [String], connectTimeout: TimeAmount = .seconds(30),
                    heloName: String, queueCapacity: Int = 64) {
            self.server = server
            self.from = from
            self.recipients = recipients
            self.connectTimeout = connectTimeout
            self.heloName = heloName
            self.queueCapacity = queueCapacity
        }
    }

    /// What the alerter did since it started.
    public struct Counters: Sendable, Equatable {
        public var sent = 0
        public var failed = 0
        public var dropped = 0
    }

    private let settings: Settings
    private let policy: MailAlertPolicy
    private let stream: AsyncStream<HAEvent>
    private let logger: Logger
    private let group: any EventLoopGroup
    private let date: @Sendable () -> String
    private let shared: Shared

    /// The queue and the counters, shared by the receiving and the sending task.
    private final class Shared: Sendable {
        let counters = Mutex(Counters())
        let queue: Mutex<AlertQueue<MailAlert>>
        init(capacity: Int) { queue = Mutex(AlertQueue(capacity: capacity)) }
    }

    /// Subscribes at once, so no event published after `init` returns is missed.
    public init(settings: Settings, policy: MailAlertPolicy, bus: EventBus, logger: Logger,
                group: (any EventLoopGroup)? = nil,
                date: (@Sendable () -> String)? = nil) async {
        self.settings = settings
        self.policy = policy
        self.stream = await bus.subscribe()
        self.logger = logger
        self.group = group ?? MultiThreadedEventLoopGroup.singleton
        self.date = date ?? { MailAlert.rfc5322Date(Int(time(nil))) }
        self.shared = Shared(capacity: settings.queueCapacity)
    }

    public var statistics: Counters { shared.counters.withLock { $0 } }

    public func run() async {
        let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await _ in wakeups {
                    let batch = shared.queue.withLock { $0.takeAll() }
                    if !batch.isEmpty { await deliver(batch) }
                }
            }
            for await event in stream.cancelOnGracefulShutdown() {
                guard let alert = policy.alert(for: event) else { continue }
                let (dropped, total) = shared.queue.withLock { queue in (queue.append(alert), queue.dropped) }
                if let dropped {
                    shared.counters.withLock { $0.dropped = total }
                    logger.warning("mail alert dropped: queue full", metadata: [
                        "subject": "\(dropped.subject)", "dropped_total": "\(total)", "capacity": "\(settings.queueCapacity)",
                    ])
                }
                wake.yield()
            }
            wake.finish()
        }
    }

    private func deliver(_ alerts: [MailAlert]) async {
        let endpoint = SMTPClient.endpoint(settings.server)
        let client = SMTPClient(
            host: endpoint.host, port: endpoint.port, connectTimeout: settings.connectTimeout,
            sessionTimeout: settings.connectTimeout + .seconds(30), heloName: settings.heloName, group: group)
        let date = self.date()
        let mails = alerts.map { alert in
            SMTPDialogue.Mail(from: settings.from, recipients: settings.recipients,
                              content: alert.message(from: settings.from, to: settings.recipients, date: date))
        }
        do {
            let report = try await client.send(mails)
            shared.counters.withLock {
                $0.sent += report.delivered
                $0.failed += mails.count - report.delivered
            }
            if report.delivered > 0 {
                logger.info("mail alerts sent", metadata: [
                    "smtp_server": "\(settings.server)", "count": "\(report.delivered)",
                    "subjects": "\(alerts.map(\.subject).joined(separator: " | "))",
                ])
            }
            if !report.failures.isEmpty {
                logger.warning("mail alerts refused", metadata: [
                    "smtp_server": "\(settings.server)", "undelivered": "\(mails.count - report.delivered)",
                    "replies": "\(report.failures.map(\.description).joined(separator: " | "))",
                ])
            }
        } catch {
            shared.counters.withLock { $0.failed += mails.count }
            logger.error("mail alerts not sent: SMTP server unreachable", metadata: [
                "smtp_server": "\(settings.server)", "error": "\(error)", "lost": "\(mails.count)",
                "subjects": "\(alerts.map(\.subject).joined(separator: " | "))",
            ])
        }
    }
}

extension MailAlerter.Settings {
    /// The settings `global_defs` gives, or nil when mail is not configured (no `smtp_server`
    /// or no `notification_email`). Without `notification_email_from`, `hactl@HOST`.
    public init?(global: GlobalSettings, hostname: String) {
        guard let server = global.smtpServer, !global.notificationEmail.isEmpty else { return nil }
        self.init(
            server: server, from: global.notificationEmailFrom ?? "hactl@\(hostname)", recipients: global.notificationEmail,
            connectTimeout: global.smtpConnectTimeout.map { .nanoseconds(Int64($0.components.seconds) * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000) } ?? .seconds(30),
            heloName: hostname)
    }
}

extension MailAlerter {
    /// The alerter `configuration` asks for, or nil; says in the log why mail is off when
    /// `smtp_alert` is on but mail is not configured (no silent skip).
    static func configured(for configuration: Configuration, bus: EventBus, logger: Logger) async -> MailAlerter? {
        let hostname = ApplianceControl.hostname()
        let policy = MailAlertPolicy(configuration: configuration, hostname: hostname)
        guard let settings = Settings(global: configuration.global, hostname: hostname) else {
            if !policy.isEmpty {
                logger.warning("smtp_alert set but no mail is sent", metadata: [
                    "reason": "needs smtp_server and notification_email in global_defs",
                    "location": "\(configuration.global.location)",
                ])
            }
            return nil
        }
        guard !policy.isEmpty else {
            logger.info("smtp_server configured, no smtp_alert: no mail alerts", metadata: ["smtp_server": "\(settings.server)"])
            return nil
        }
        logger.info("mail alerts", metadata: [
            "smtp_server": "\(settings.server)", "to": "\(settings.recipients.joined(separator: ","))",
            "instances": "\(policy.instances.sorted().joined(separator: ","))", "checker_alerts": "\(policy.checkerAlerts)",
        ])
        return await MailAlerter(settings: settings, policy: policy, bus: bus, logger: Logger(label: "mail-alerts"))
    }
}
