/// Why an operator command on the running proxy (HAProxy runtime API `set server`,
/// `set weight`, `disable frontend` ...) was refused. The description is what the operator
/// reads: it names what is unknown and lists what is known.
public enum ProxyControlError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownBackend(String, known: [String])
    case unknownServer(backend: String, server: String, known: [String])
    case unknownFrontend(String, known: [String])
    /// `set weight` takes 0 to 256.
    case weightOutOfRange(backend: String, server: String, weight: Int)
    /// `enable frontend` could not bind one of its addresses again (the frontend stays stopped).
    case bindFailed(frontend: String, reason: String)
    /// No proxy instance is serving (stopped, or between a failure and its restart).
    case notRunning
    /// `show table NAME` / `clear table NAME`: no section has that stick-table.
    case unknownTable(String, known: [String])
    /// `clear table NAME key K`: K is no key of the table's type.
    case badTableKey(table: String, key: String, type: String)

    public var description: String {
        switch self {
        case .unknownBackend(let name, let known):
            "no backend named '\(name)' (backends: \(Self.list(known)))"
        case .unknownServer(let backend, let server, let known):
            "backend '\(backend)' has no server named '\(server)' (servers: \(Self.list(known)))"
        case .unknownFrontend(let name, let known):
            "no frontend named '\(name)' (frontends: \(Self.list(known)))"
        case .weightOutOfRange(let backend, let server, let weight):
            "weight \(weight) for \(backend)/\(server) is out of range: a weight is 0 to 256"
        case .bindFailed(let frontend, let reason):
            "frontend '\(frontend)' stays stopped: \(reason)"
        case .notRunning:
            "the proxy is not running"
        case .unknownTable(let name, let known):
            "no stick-table named '\(name)' (tables: \(Self.list(known)))"
        case .badTableKey(let table, let key, let type):
            "'\(key)' is not a key of table '\(table)' (type \(type))"
        }
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}

/// What the operator changed at run time, by name, so it outlives the instance it was applied
/// to: a reload's new `ProxyService` and a restarted one start with it (for the servers and
/// frontends that still exist), like HAProxy's `server-state-file` carries admin states and
/// weights over a reload.
public struct ProxyOverrides: Sendable, Hashable {
    /// A server by its backend's and its own name.
    public struct ServerKey: Sendable, Hashable, CustomStringConvertible {
        public var backend: String
        public var server: String

        public init(backend: String, server: String) {
            self.backend = backend
            self.server = server
        }

        public var description: String { "\(backend)/\(server)" }
    }

    /// `set server B/S state ...`.
    public var serverAdmin: [ServerKey: ServerAdminState]
    /// `set weight B/S N`.
    public var serverWeights: [ServerKey: Int]
    /// `disable frontend F` (removed again by `enable frontend F`).
    public var disabledFrontends: Set<String>

    public init(serverAdmin: [ServerKey: ServerAdminState] = [:], serverWeights: [ServerKey: Int] = [:],
                disabledFrontends: Set<String> = []) {
        self.serverAdmin = serverAdmin
        self.serverWeights = serverWeights
        self.disabledFrontends = disabledFrontends
    }

    public var isEmpty: Bool { serverAdmin.isEmpty && serverWeights.isEmpty && disabledFrontends.isEmpty }
}
