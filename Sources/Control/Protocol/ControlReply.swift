/// What the appliance answers a `ControlCommand` with.
public enum ControlReply: Sendable, Equatable {
    /// The answer to `status`.
    case status(StatusReport)
    /// A write was carried out; `message` says what happened (`VI_1: MASTER -> BACKUP`).
    case done(message: String)
    /// The command was refused or failed; nothing (more) changed.
    case failed(ControlFailure)
}

/// Why a command was not carried out. Each dialect words it its own way: the JSON protocol
/// sends `description`; HAProxy's runtime API sends the short sentence HAProxy uses for the
/// same case (`No such server.`), so scripts written against HAProxy keep working.
public enum ControlFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchBackend(String)
    case noSuchServer(backend: String, server: String)
    case noSuchFrontend(String)
    case noSuchInstance(String)
    /// The socket's level is below the command's `requiredLevel`.
    case permissionDenied(command: String, needed: ControlLevel, socketLevel: ControlLevel)
    /// Anything else, worded for the operator (a rejected reload names the file and line).
    case other(String)

    public var description: String {
        switch self {
        case .noSuchBackend(let name): "no such backend \"\(name)\""
        case .noSuchServer(let backend, let server): "no such server \"\(server)\" in backend \"\(backend)\""
        case .noSuchFrontend(let name): "no such frontend \"\(name)\""
        case .noSuchInstance(let name): "no such instance \"\(name)\""
        case .permissionDenied(let command, let needed, let level):
            "permission denied: \(command) needs level \(needed.rawValue), this socket is level \(level.rawValue)"
        case .other(let message): message
        }
    }
}

/// The appliance side of the control socket: turns commands into replies. The control server
/// calls it once per request, concurrently for concurrent clients, after checking the level.
public protocol ControlResponder: Sendable {
    /// - Parameters:
    ///   - command: the request, already decoded and permitted at `level`.
    ///   - level: the level of the socket it came through.
    func respond(to command: ControlCommand, level: ControlLevel) async -> ControlReply
    /// `show table`: the stick tables with their entries (default: none).
    func stickTables() async -> [StickTableView]
    /// `clear table NAME [key K]`, already permitted (default: no such table).
    func clearStickTable(_ name: String, key: String?) async -> ControlReply
}
