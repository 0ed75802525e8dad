/// The subset of HAProxy's runtime API (management guide, "Unix Socket commands") that hactl's
/// control socket understands, so `echo "show stat" | socat - UNIX-CONNECT:...` and the scripts
/// written for HAProxy keep working against hactl.
///
/// A line that does not start with `{` is in this dialect. As in HAProxy, one line may carry
/// several commands separated by `;` (a `\;` is a literal semicolon), and the connection is
/// closed once the line is answered (HAProxy's non-interactive mode; `prompt` is not supported).
public enum RuntimeAPIRequest: Sendable, Equatable {
    /// `show info`: process-wide information, `Name: value` lines.
    case showInfo
    /// `show stat`: CSV, one row per frontend, server and backend.
    case showStat
    /// `show servers state [backend]`: the servers-state file format, version 1.
    case showServersState(backend: String?)
    /// `show table [NAME [key K]]`: the stick tables, or one table's entries.
    case showTable(name: String?, key: String?)
    /// `clear table NAME [key K]`: removes every entry of a stick table, or K's (level operator).
    case clearTable(name: String, key: String?)
    /// `help`: the commands hactl understands.
    case help
    /// A command that maps onto a `ControlCommand`.
    case command(ControlCommand)
    /// A known command with bad arguments; the associated text is the answer.
    case invalid(String)
    /// Not a command hactl knows.
    case unknown(String)

    /// Splits a line into its `;`-separated commands and parses each.
    public static func parseLine(_ line: String) -> [RuntimeAPIRequest] {
        splitCommands(line).map(parse)
    }

    /// Parses one command (no `;`).
    public static func parse(_ text: String) -> RuntimeAPIRequest {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch words.first {
        case "show" where words.count == 2 && words[1] == "info":
            return .showInfo
        case "show" where words.count == 2 && words[1] == "stat":
            return .showStat
        case "show" where words.count >= 3 && words[1] == "servers" && words[2] == "state":
            return words.count <= 4 ? .showServersState(backend: words.count == 4 ? words[3] : nil) : .unknown(text)
        case "show" where words.count >= 2 && words[1] == "table":
            switch words.count {
            case 2: return .showTable(name: nil, key: nil)
            case 3: return .showTable(name: words[2], key: nil)
            case 5 where words[3] == "key": return .showTable(name: words[2], key: words[4])
            default: return .invalid("hactl supports 'show table [<table> [key <key>]]' (stick tables hold no data.* types).")
            }
        case "clear" where words.count >= 2 && words[1] == "table":
            switch words.count {
            case 3: return .clearTable(name: words[2], key: nil)
            case 5 where words[3] == "key": return .clearTable(name: words[2], key: words[4])
            default: return .invalid("hactl supports 'clear table <table> [key <key>]'.")
            }
        case "help" where words.count == 1:
            return .help
        case "disable", "enable":
            let verb = words[0]
            guard words.count >= 2, words[1] == "server" || words[1] == "frontend" else { return .unknown(text) }
            if words[1] == "frontend" {
                guard words.count == 3 else { return .invalid("A frontend name is expected.") }
                return .command(.frontend(name: words[2], action: verb == "disable" ? .disable : .enable))
            }
            guard words.count == 3, let (backend, server) = backendServer(words[2]) else {
                return .invalid("Require 'backend/server'.")
            }
            return .command(.server(backend: backend, server: server, action: verb == "disable" ? .disable : .enable))
        case "set" where words.count >= 2 && words[1] == "server":
            guard words.count >= 3, let (backend, server) = backendServer(words[2]) else {
                return .invalid("Require 'backend/server'.")
            }
            guard words.count == 5, words[3] == "state" else {
                // `set server` has more options in HAProxy (addr, agent, health, weight ...);
                // hactl takes only `state` here and `set weight` for weights.
                return .invalid("hactl supports 'set server <backend>/<server> state ready|drain|maint' only.")
            }
            switch words[4] {
            case "ready": return .command(.server(backend: backend, server: server, action: .enable))
            case "drain": return .command(.server(backend: backend, server: server, action: .drain))
            case "maint": return .command(.server(backend: backend, server: server, action: .disable))
            default: return .invalid("'set server <srv> state' expects 'ready', 'drain' and 'maint'.")
            }
        case "set" where words.count >= 2 && words[1] == "weight":
            guard words.count >= 3, let (backend, server) = backendServer(words[2]) else {
                return .invalid("Require 'backend/server'.")
            }
            guard words.count == 4 else { return .invalid("Require <weight>.") }
            guard let weight = Int(words[3]) else { return .invalid("Weight must be a whole number.") }
            guard (0...256).contains(weight) else {
                return .invalid("Absolute weight can only be between 0 and 256 inclusive.")
            }
            return .command(.server(backend: backend, server: server, action: .weight(weight)))
        default:
            return .unknown(text)
        }
    }

    /// `backend/server` split at the first `/`; nil unless both halves are non-empty.
    static func backendServer(_ word: String) -> (String, String)? {
        guard let slash = word.firstIndex(of: "/") else { return nil }
        let backend = String(word[..<slash])
        let server = String(word[word.index(after: slash)...])
        return backend.isEmpty || server.isEmpty ? nil : (backend, server)
    }

    /// Splits at unescaped `;`; `\;` stays as a literal `;`. Surrounding blanks are trimmed
    /// and a trailing empty command (a line ending with `;`) is dropped.
    static func splitCommands(_ line: String) -> [String] {
        var commands: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ";" {
                commands.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        commands.append(current)
        let trimmed = commands.map { $0.trimmingBlanks() }
        if trimmed.count > 1, trimmed.last?.isEmpty == true { return Array(trimmed.dropLast()) }
        return trimmed
    }
}

extension String {
    func trimmingBlanks() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first...last])
    }
}
