/// One HAProxy `log` line resolved for the data path: where lines go, how each is framed
/// (`format`), how long it may be (`len`) and which severities pass (`LEVEL [MINLEVEL]`).
///
/// Configuration manual §3.1 `log`: `log ADDRESS [len N] [format F] FACILITY [LEVEL [MINLEVEL]]`.
package struct LogTarget: Sendable, Hashable {
    /// `stdout`, `stderr`, a unix datagram socket path or `HOST[:PORT]` (UDP, port 514 by default).
    package enum Destination: Sendable, Hashable {
        case stdout
        case stderr
        case unixSocket(path: String)
        case udp(host: String, port: Int)
    }

    package var destination: Destination
    /// The syslog facility number (`local0` is 16).
    package var facility: Int
    package var format: SyslogFormat
    /// `len N`: a line is cut to N bytes before its newline (HAProxy's default 1024).
    package var maxLength: Int
    /// `LEVEL`: the least severe level sent; less severe messages are not sent.
    package var maxSeverity: LogSeverity
    /// `MINLEVEL`: a more severe message is sent with this level instead.
    package var minSeverity: LogSeverity?
    /// The header's tag (`log-tag`; HAProxy's default is its program name, hactl's "hactl").
    package var tag: String
    /// `log-send-hostname`: the host name written in `rfc3164` and `rfc5424` headers; nil writes
    /// none (`-` in rfc5424, `localhost` in an explicit rfc3164, as HAProxy 2.6 does).
    package var hostname: String?

    package init(destination: Destination, facility: Int, format: SyslogFormat = .local, maxLength: Int = 1024,
                 maxSeverity: LogSeverity = .debug, minSeverity: LogSeverity? = nil, tag: String = "hactl", hostname: String? = nil) {
        self.destination = destination
        self.facility = facility
        self.format = format
        self.maxLength = maxLength
        self.maxSeverity = maxSeverity
        self.minSeverity = minSeverity
        self.tag = tag
        self.hostname = hostname
    }

    /// `log stdout FACILITY`.
    package static var stdout: LogTarget { LogTarget(destination: .stdout, facility: 16) }
    /// `log stderr FACILITY`.
    package static var stderr: LogTarget { LogTarget(destination: .stderr, facility: 16) }
    /// `log /dev/log FACILITY`.
    package static func syslogUnixSocket(path: String, facility: Int) -> LogTarget {
        LogTarget(destination: .unixSocket(path: path), facility: facility)
    }
    /// `log HOST[:PORT] FACILITY`.
    package static func syslogUDP(host: String, port: Int, facility: Int) -> LogTarget {
        LogTarget(destination: .udp(host: host, port: port), facility: facility)
    }

    /// The severity a message of `severity` is sent with, or nil when this target drops it.
    func effectiveSeverity(_ severity: LogSeverity) -> LogSeverity? {
        guard severity.rawValue <= maxSeverity.rawValue else { return nil }
        if let minSeverity, severity.rawValue < minSeverity.rawValue { return minSeverity }
        return severity
    }
}

/// `log ... format F` (configuration manual §3.1): how the header before the text looks.
package enum SyslogFormat: String, Sendable, Hashable, CaseIterable {
    /// `<PRI>Mmm dd hh:mm:ss TAG[PID]: ` — rfc3164 without the host name. The default.
    case local
    /// `<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: ` (RFC 3164 §4.1); the default with `log-send-hostname`.
    case rfc3164
    /// `<PRI>1 YYYY-MM-DDThh:mm:ss.uuuuuu+hh:mm HOST TAG PID - - ` (RFC 5424 §6; no MSGID, no SD).
    case rfc5424
    /// `<PRI>` then the text.
    case priority
    /// `<SEVERITY>` then the text (the systemd/journald stream convention).
    case short
    /// `<SEVERITY>YYYY-MM-DDThh:mm:ss.uuuuuu+hh:mm ` then the text.
    case timed
    /// `YYYY-MM-DDThh:mm:ss.uuuuuu+hh:mm ` then the text.
    case iso
    /// The text alone.
    case raw
}

/// The eight syslog severities (RFC 5424 §6.2.1), with HAProxy's names.
package enum LogSeverity: Int, Sendable, Hashable, CaseIterable {
    case emerg = 0, alert, crit, err, warning, notice, info, debug

    /// `emerg`, `alert`, ... `debug` as written in a `log` line.
    package init?(name: String) {
        guard let index = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"].firstIndex(of: name) else { return nil }
        self.init(rawValue: index)
    }
}
