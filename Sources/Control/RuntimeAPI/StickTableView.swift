/// One stick table as the runtime API's `show table` prints it (HAProxy management guide,
/// "show table"): the header line's facts and, for `show table NAME`, the entries.
public struct StickTableView: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        /// Milliseconds left; nil: the table has no `expire`.
        public var expiresIn: Int64?
        /// The server's position in the table's backend, from 1 (HAProxy's default `id`).
        public var serverID: Int?
        public var serverName: String

        public init(key: String, expiresIn: Int64?, serverID: Int?, serverName: String) {
            self.key = key
            self.expiresIn = expiresIn
            self.serverID = serverID
            self.serverName = serverName
        }
    }

    public var name: String
    public var type: String
    public var size: Int
    public var entries: [Entry]

    public init(name: String, type: String, size: Int, entries: [Entry]) {
        self.name = name
        self.type = type
        self.size = size
        self.entries = entries
    }
}

/// The stick tables behind the control socket (the appliance's proxy). Defaults answer as a
/// node without tables, so responders that serve no proxy need not implement them.
extension ControlResponder {
    public func stickTables() async -> [StickTableView] { [] }
    public func clearStickTable(_ name: String, key: String?) async -> ControlReply {
        .failed(.other("No such table"))
    }
}

extension RuntimeAPIAnswer {
    /// `show table`: one header line per table; `show table NAME [key K]`: its header and entries,
    /// `0xN: key=K use=0 exp=MS server_id=ID server_key=NAME` (hactl keeps no other data types).
    public static func showTable(_ tables: [StickTableView], name: String?, key: String?) -> String {
        func header(_ table: StickTableView) -> String {
            "# table: \(table.name), type: \(table.type), size:\(table.size), used:\(table.entries.count)\n"
        }
        // HAProxy lists the tables last declared first.
        guard let name else { return tables.reversed().map(header).joined() + "\n" }
        guard let table = tables.first(where: { $0.name == name }) else { return "No such table\n\n" }
        var text = header(table)
        for (index, entry) in table.entries.enumerated() where key == nil || entry.key == key {
            text += "0x\(String(index + 1, radix: 16)): key=\(entry.key) use=0 exp=\(max(entry.expiresIn ?? 0, 0))"
            if let id = entry.serverID { text += " server_id=\(id)" }
            text += " server_key=\(entry.serverName)\n"
        }
        return text + "\n"
    }
}
