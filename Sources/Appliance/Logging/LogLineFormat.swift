public import Logging

/// How one log event becomes one line on stderr: `<6>proxy: server down backend=web server=s1`.
///
/// Two styles, chosen once at start-up (see `LogStyle.detect`):
/// - `.journal`: the line starts with the syslog priority in angle brackets (`<3>` error ..
///   `<7>` debug). journald strips that prefix from a stream it reads and stores it as the
///   entry's PRIORITY (sd-daemon(3), `SD_ERR` etc.), so `journalctl -p warning` filters and
///   colours work, and journald adds its own timestamp, host and unit: we add none.
/// - `.plain`: a UTC timestamp and the level as a word (`warning`), for a terminal, a pipe
///   or a file, where nobody strips a prefix and a timestamp is what a reader needs.
///
/// Everything after the level is the same in both: `component: message key=value ...`, metadata
/// sorted by key so equal events print equal lines, values quoted only when they must be, and
/// newlines escaped so one event is always one line.
public struct LogLineFormat: Sendable, Hashable {
    public var style: LogStyle

    public init(style: LogStyle) {
        self.style = style
    }

    /// The line for one event, without the trailing newline. `timestamp` is only used by `.plain`.
    public func line(
        level: Logger.Level,
        component: String,
        message: String,
        metadata: Logger.Metadata,
        timestamp: String
    ) -> String {
        switch style {
        case .journal:
            "<\(Self.syslogPriority(level))>" + Self.body(component: component, message: message, metadata: metadata)
        case .plain:
            "\(timestamp) \(Self.word(level)) " + Self.body(component: component, message: message, metadata: metadata)
        }
    }

    /// What follows the level in both styles: `component: message key=value ...`; also the
    /// journal's `MESSAGE=` when lines go through sd_journal_sendv (`JournalEntry+LogEvent`).
    public static func body(component: String, message: String, metadata: Logger.Metadata) -> String {
        var text = component
        text += ": "
        text += escapeNewlines(message)
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            text += " "
            text += quoteIfNeeded(key)
            text += "="
            text += quoteIfNeeded(render(value))
        }
        return text
    }

    /// RFC 5424 §6.2.1 severities, as journald reads them from a `<N>` prefix.
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The level as an operator reads it.
    public static func word(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(render).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            "{" + dictionary.keys.sorted().map { "\($0)=\(render(dictionary[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// A value stays bare unless it is empty or holds a space, a quote, `=` or a control
    /// character; then it is double-quoted with `"` and `\` escaped.
    static func quoteIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { character in
            character == " " || character == "\"" || character == "=" || character == "\\"
                || character.isNewline || character == "\t"
        }
        guard needsQuotes else { return value }
        var quoted = "\""
        for character in value {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }

    static func escapeNewlines(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        var escaped = ""
        for character in text {
            switch character {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
