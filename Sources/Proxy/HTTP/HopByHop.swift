/// Hop-by-hop header handling for an intermediary (RFC 9110 §7.6.1).
enum HopByHop {
    /// Reads the Connection options (`close`, `keep-alive`, `upgrade`) then removes every hop-by-hop
    /// field, including those the Connection field names. `Transfer-Encoding` is framing and
    /// stays, because bodies are forwarded with their original framing.
    static func strip(_ fields: inout HTTPFields) -> ConnectionOptions {
        guard fields.fields.contains(where: \.known.isHopByHop) else { return ConnectionOptions() }
        var named: [FieldName] = []
        let options = ConnectionOptions(fields) { option in
            // Options other than the standard ones name further hop-by-hop fields to drop.
            let name = FieldName(String(option))
            if !name.known.isHopByHop && name.known != .transferEncoding { named.append(name) }
        }
        if !named.isEmpty {
            fields.fields.removeAll { field in named.contains { field.hasName($0) } }
        }
        fields.fields.removeAll(where: \.known.isHopByHop)
        return options
    }

    struct ConnectionOptions {
        var close = false
        var keepAlive = false
        var upgrade = false
        var upgradeProtocol: String?

        init() {}

        /// The options of the Connection field (RFC 9110 §7.6.1); `other` sees every option it does not know.
        init(_ fields: HTTPFields, other: (Substring) -> Void = { _ in }) {
            fields.forEachListElement(.connection) { token in
                if token.equalsIgnoringASCIICase("close") {
                    close = true
                } else if token.equalsIgnoringASCIICase("keep-alive") {
                    keepAlive = true
                } else if token.equalsIgnoringASCIICase("upgrade") {
                    upgrade = true
                } else {
                    other(token)
                }
            }
            if upgrade { upgradeProtocol = fields.first(.upgrade) }
        }

        /// Whether the peer wants the connection kept after this message (RFC 9112 §9.3).
        func persistent(minorVersion: Int) -> Bool {
            if close { return false }
            return minorVersion == 1 || keepAlive
        }
    }
}
