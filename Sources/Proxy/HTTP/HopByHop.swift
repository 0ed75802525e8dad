/// Hop-by-hop header handling for an intermediary (RFC 9110 §7.6.1).
enum HopByHop {
    /// Reads the Connection options (`close`, `keep-alive`, `upgrade`) then removes every hop-by-hop
    /// field, including those the Connection field names. `Transfer-Encoding` is framing and
    /// stays, because bodies are forwarded with their original framing.
    static func strip(_ fields: inout HTTPFields) -> ConnectionOptions {
        // By index, and without key-path closures: this runs on every request and response.
        var hopByHop = 0
        for i in 0..<fields.count where fields.known(at: i).isHopByHop { hopByHop += 1 }
        guard hopByHop > 0 else { return ConnectionOptions() }
        var named: [FieldName] = []
        let options = ConnectionOptions(fields) { option in
            // Options other than the standard ones name further hop-by-hop fields to drop.
            let name = FieldName(String(option))
            if !name.known.isHopByHop && name.known != .transferEncoding { named.append(name) }
        }
        if !named.isEmpty {
            fields.removeAll { fields, i in fields.known(at: i).isHopByHop || named.contains { fields.hasName($0, at: i) } }
        } else if hopByHop == 1, let i = (0..<fields.count).first(where: { fields.known(at: $0).isHopByHop }) {
            // The common case (`Connection: keep-alive` on a response): one field out.
            fields.remove(at: i)
        } else {
            fields.removeAll { fields, i in fields.known(at: i).isHopByHop }
        }
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
            for i in 0..<fields.count where fields.known(at: i) == .connection {
                let value = fields.value(at: i)
                // Read as bytes (a server says `Connection: keep-alive` on every response); a
                // Substring is made only for an option this type does not know.
                let done: Bool? = value.utf8.withContiguousStorageIfAvailable { bytes in
                    var start = 0
                    for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: ",") {
                        var s = start, e = i
                        start = i + 1
                        while s < e, bytes[s] == 0x20 || bytes[s] == 0x09 { s += 1 }
                        while e > s, bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09 { e -= 1 }
                        guard e > s else { continue }
                        let token = UnsafeBufferPointer(rebasing: bytes[s..<e])
                        if Self.token(token, is: "close") {
                            close = true
                        } else if Self.token(token, is: "keep-alive") {
                            keepAlive = true
                        } else if Self.token(token, is: "upgrade") {
                            upgrade = true
                        } else {
                            let utf8 = value.utf8
                            other(value[utf8.index(utf8.startIndex, offsetBy: s)..<utf8.index(utf8.startIndex, offsetBy: e)])
                        }
                    }
                    return true
                }
                if done == nil { readSlowly(value, other: other) }
            }
            if upgrade { upgradeProtocol = fields.first(.upgrade) }
        }

        /// The same reading for a string without contiguous UTF-8 (never a parsed one).
        private mutating func readSlowly(_ value: String, other: (Substring) -> Void) {
            for element in value.split(separator: ",") {
                let token = element.trimmingOWS()
                if token.isEmpty { continue }
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
        }

        /// ASCII case-insensitive equality with a lower-case option name.
        @inline(__always)
        private static func token(_ bytes: UnsafeBufferPointer<UInt8>, is name: StaticString) -> Bool {
            guard bytes.count == name.utf8CodeUnitCount else { return false }
            let expected = name.utf8Start
            for i in 0..<bytes.count {
                let b = bytes[i]
                if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != expected[i] { return false }
            }
            return true
        }

        /// Whether the peer wants the connection kept after this message (RFC 9112 §9.3).
        func persistent(minorVersion: Int) -> Bool {
            if close { return false }
            return minorVersion == 1 || keepAlive
        }
    }
}
