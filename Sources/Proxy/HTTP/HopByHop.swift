/// Hop-by-hop header handling for an intermediary (RFC 9110 §7.6.1).
enum HopByHop {
    /// Fields that never travel past one hop.
    static let names = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"]

    /// Reads the Connection options (`close`, `keep-alive`, `upgrade`) then removes every hop-by-hop
    /// field, including those the Connection field names. `Transfer-Encoding` is framing and
    /// stays, because bodies are forwarded with their original framing.
    static func strip(_ fields: inout HTTPFields) -> ConnectionOptions {
        var options = ConnectionOptions()
        guard fields.fields.contains(where: { field in names.contains { field.name.equalsIgnoringASCIICase($0) } }) else {
            return options
        }
        let tokens = fields.listElements("connection")
        for token in tokens {
            if token.equalsIgnoringASCIICase("close") {
                options.close = true
            } else if token.equalsIgnoringASCIICase("keep-alive") {
                options.keepAlive = true
            } else if token.equalsIgnoringASCIICase("upgrade") {
                options.upgrade = true
            }
        }
        if options.upgrade { options.upgradeProtocol = fields.first("upgrade") }
        if !tokens.isEmpty {
            fields.fields.removeAll { field in
                tokens.contains { field.name.equalsIgnoringASCIICase($0) && !field.name.equalsIgnoringASCIICase("transfer-encoding") }
            }
        }
        fields.fields.removeAll { field in names.contains { field.name.equalsIgnoringASCIICase($0) } }
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
