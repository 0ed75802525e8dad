/// Hop-by-hop header handling for an intermediary (RFC 9110 §7.6.1).
enum HopByHop {
    /// Reads the Connection options (`close`, `keep-alive`, `upgrade`) then removes every hop-by-hop
    /// field, including those the Connection field names. `Transfer-Encoding` is framing and
    /// stays, because bodies are forwarded with their original framing.
    static func strip(_ fields: inout HTTPFields) -> ConnectionOptions {
        var options = ConnectionOptions()
        guard fields.fields.contains(where: \.known.isHopByHop) else { return options }
        let tokens = fields.listElements(.connection)
        for token in tokens {
            if token.equalsIgnoringASCIICase("close") {
                options.close = true
            } else if token.equalsIgnoringASCIICase("keep-alive") {
                options.keepAlive = true
            } else if token.equalsIgnoringASCIICase("upgrade") {
                options.upgrade = true
            }
        }
        if options.upgrade { options.upgradeProtocol = fields.first(.upgrade) }
        // Options other than the standard ones name further hop-by-hop fields to drop.
        let named = tokens.map { FieldName(String($0)) }.filter { !$0.known.isHopByHop && $0.known != .transferEncoding }
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

        /// Whether the peer wants the connection kept after this message (RFC 9112 §9.3).
        func persistent(minorVersion: Int) -> Bool {
            if close { return false }
            return minorVersion == 1 || keepAlive
        }
    }
}
