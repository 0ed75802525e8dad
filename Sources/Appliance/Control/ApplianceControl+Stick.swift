import Control
import Proxy

/// `show table` and `clear table` on the serving proxy's stick tables.
extension ApplianceControl {
    func stickTables() async -> [StickTableView] {
        guard let host = proxy?.host else { return [] }
        let backends = host.configuration.backends
        return await host.stickTables().map { table in
            let servers = backends.first { $0.name == table.name }?.servers ?? []
            return StickTableView(name: table.name, type: table.type, size: table.size, entries: table.entries.map { record in
                StickTableView.Entry(key: record.key, expiresIn: record.expiresIn,
                                     serverID: servers.firstIndex { $0.name == record.server }.map { $0 + 1 }, serverName: record.server)
            })
        }
    }

    func clearStickTable(_ name: String, key: String?) async -> ControlReply {
        guard let host = proxy?.host else { return .failed(.other("the proxy is not running")) }
        do {
            let removed = try await host.clearStickTable(name, key: key)
            return .done(message: "table \(name): \(removed) entries removed")
        } catch .unknownTable {
            return .failed(.other("No such table"))  // HAProxy's answer
        } catch {
            return .failed(Self.failure(error))
        }
    }
}
