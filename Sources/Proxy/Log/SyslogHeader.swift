/// The header a `log` target writes before each line (configuration manual §3.1 `format`),
/// its static part (host name, tag, pid) prepared once per target.
///
/// HAProxy 2.6, observed on the wire (Tests/ProxyTests/Differential/SyslogFramingDifferentialTests):
/// - `local`:    `<134>Dec  1 01:00:35 hactl[4242]: TEXT`
/// - `rfc3164`:  `<134>Dec  1 01:00:35 HOST hactl[4242]: TEXT` (HOST `localhost` without `log-send-hostname`)
/// - `rfc5424`:  `<134>1 2026-12-01T01:00:35.552953+00:00 HOST hactl 4242 - - TEXT` (HOST `-` without)
/// - `priority`: `<134>TEXT`, `short`: `<6>TEXT`, `timed`: `<6>2026-12-01T01:00:35.552974+00:00 TEXT`,
///   `iso`: `2026-12-01T01:00:35.552978+00:00 TEXT`, `raw`: `TEXT`.
struct SyslogHeader {
    let format: SyslogFormat
    let facility: Int
    /// What follows the date: ` HOST TAG[PID]: `, ` HOST TAG PID - - ` or ` `.
    private let afterDate: [UInt8]

    init(target: LogTarget, pid: Int32) {
        format = target.format
        facility = target.facility
        switch target.format {
        case .local: afterDate = Array(" \(target.tag)[\(pid)]: ".utf8)
        case .rfc3164: afterDate = Array(" \(target.hostname ?? "localhost") \(target.tag)[\(pid)]: ".utf8)
        case .rfc5424: afterDate = Array(" \(target.hostname ?? "-") \(target.tag) \(pid) - - ".utf8)
        case .timed, .iso: afterDate = [UInt8(ascii: " ")]
        case .priority, .short, .raw: afterDate = []
        }
    }

    /// Whether the header holds a date (the caller reads the clock only then).
    var needsTime: Bool {
        switch format {
        case .local, .rfc3164, .rfc5424, .timed, .iso: true
        case .priority, .short, .raw: false
        }
    }

    /// Appends the header of a message of `severity` sent at `time` (ignored when `needsTime` is false).
    func append(severity: LogSeverity, time: SyslogTime?, to bytes: inout [UInt8]) {
        switch format {
        case .local, .rfc3164:
            appendPriority(facility * 8 + severity.rawValue, to: &bytes)
            if let time { bytes.append(contentsOf: time.rfc3164) }
        case .rfc5424:
            appendPriority(facility * 8 + severity.rawValue, to: &bytes)
            bytes.append(UInt8(ascii: "1"))
            bytes.append(UInt8(ascii: " "))
            time?.appendISO(to: &bytes)
        case .priority:
            appendPriority(facility * 8 + severity.rawValue, to: &bytes)
        case .short:
            appendPriority(severity.rawValue, to: &bytes)
        case .timed:
            appendPriority(severity.rawValue, to: &bytes)
            time?.appendISO(to: &bytes)
        case .iso:
            time?.appendISO(to: &bytes)
        case .raw:
            break
        }
        bytes.append(contentsOf: afterDate)
    }

    private func appendPriority(_ value: Int, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "<"))
        if value >= 100 { bytes.append(UInt8(ascii: "0") + UInt8(value / 100)) }
        if value >= 10 { bytes.append(UInt8(ascii: "0") + UInt8((value / 10) % 10)) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
        bytes.append(UInt8(ascii: ">"))
    }
}
