/// Validation of IP address text without touching the system resolver.
package enum IPAddressFamily: Sendable, Equatable, Hashable {
    case ipv4
    case ipv6

    /// The family of `text` if it is a literal IPv4 dotted quad or IPv6 address, else `nil`.
    package static func of(_ text: String) -> IPAddressFamily? {
        if isIPv4(text) { return .ipv4 }
        if isIPv6(text) { return .ipv6 }
        return nil
    }

    /// The largest prefix length of the family.
    package var maximumPrefixLength: Int { self == .ipv4 ? 32 : 128 }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(part) else { return false }
            return value <= 255
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        var text = Substring(text)
        // A zone index (`fe80::1%eth0`) names the link, not the address.
        if let percent = text.firstIndex(of: "%") {
            guard text.index(after: percent) < text.endIndex else { return false }
            text = text[..<percent]
        }
        guard text.contains(":") else { return false }
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        let compressed = text.contains("::")
        guard halves.count <= 2 else { return false }
        var groups = 0
        for (index, half) in (compressed ? halves : [text]).enumerated() where !half.isEmpty {
            let pieces = half.split(separator: ":", omittingEmptySubsequences: false)
            for (position, piece) in pieces.enumerated() {
                let isLast = index == (compressed ? halves.count - 1 : 0) && position == pieces.count - 1
                if isLast, piece.contains(".") {
                    guard isIPv4(String(piece)) else { return false }
                    groups += 2
                } else {
                    guard !piece.isEmpty, piece.count <= 4, piece.allSatisfy(\.isHexDigit) else { return false }
                    groups += 1
                }
            }
        }
        return compressed ? groups <= 7 : groups == 8
    }
}

/// `host:port` text as HAProxy's `bind` and `server` write it.
struct HostPort: Equatable {
    var host: String?
    var portText: String?

    /// Splits `[v6]:port`, `v4:port`, `name:port`, `:port`, `*:port`, `host`, and HAProxy's
    /// unbracketed IPv6 form where the port follows the last colon (`::1:80`).
    static func split(_ text: String) -> HostPort {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return HostPort(host: host, portText: nil) }
            if rest.hasPrefix(":") { return HostPort(host: host, portText: String(rest.dropFirst())) }
            return HostPort(host: text, portText: nil)
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 0 { return HostPort(host: text, portText: nil) }
        if colons > 1, IPAddressFamily.isIPv6(text) {
            // A valid IPv6 address on its own: HAProxy would read its last group as a port only
            // if what remains is an address too; prefer the whole address unless that holds.
            let lastColon = text.lastIndex(of: ":")!
            let head = String(text[..<lastColon])
            let tail = String(text[text.index(after: lastColon)...])
            if !tail.isEmpty, tail.allSatisfy(\.isNumber), IPAddressFamily.isIPv6(head) {
                return HostPort(host: head, portText: tail)
            }
            return HostPort(host: text, portText: nil)
        }
        let lastColon = text.lastIndex(of: ":")!
        let host = String(text[..<lastColon])
        return HostPort(host: host, portText: String(text[text.index(after: lastColon)...]))
    }
}

/// Host names as RFC 1123 allows them (letters, digits, `-`, dots).
enum HostNameText {
    static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }
}
