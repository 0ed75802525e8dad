import HACore
import HAConfig

/// Compiles `stick on|match|store-request` rules (§4.2) for the data path.
extension ProxyPlan {
    static func stickRules(_ backend: Backend, acls: [ACL], tables: [StickTablePlan], scope: LogFormatScope) throws -> [StickRulePlan] {
        try backend.stickRules.map { rule in
            let name = rule.table ?? backend.name
            guard let table = tables.firstIndex(where: { $0.name == name }) else {
                throw ProxyError("\(rule.location): backend '\(backend.name)': stick \(rule.kind.rawValue): no stick-table '\(name)'")
            }
            return StickRulePlan(matches: rule.kind.matches, stores: rule.kind.stores,
                                 pattern: try sampleExpression(rule.pattern, scope: scope, location: rule.location),
                                 table: table, condition: try condition(rule.condition, acls: acls))
        }
    }
}
