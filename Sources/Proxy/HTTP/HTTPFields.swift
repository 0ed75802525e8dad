/// One header field as it travels through the proxy (RFC 9110 §5).
///
/// Values are kept byte for byte: each byte is one `Unicode.Scalar` (ISO-8859-1), so
/// obs-text passes through unchanged when the field is written back.
package struct HTTPField: Sendable, Hashable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The ordered header section of a request or response (RFC 9110 §5.3: order and repetition kept).
package struct HTTPFields: Sendable, Hashable {
    package var fields: [HTTPField]

    package init(_ fields: [HTTPField] = []) {
        self.fields = fields
    }

    package var count: Int { fields.count }

    /// The first value of `name` (case-insensitive), if any.
    package func first(_ name: String) -> String? {
        for field in fields where field.name.equalsIgnoringASCIICase(name) { return field.value }
        return nil
    }

    /// Every value of `name`, in order.
    package func values(_ name: String) -> [String] {
        fields.compactMap { $0.name.equalsIgnoringASCIICase(name) ? $0.value : nil }
    }

    /// How many lines carry `name`.
    package func occurrences(_ name: String) -> Int {
        var n = 0
        for field in fields where field.name.equalsIgnoringASCIICase(name) { n += 1 }
        return n
    }

    package func contains(_ name: String) -> Bool { first(name) != nil }

    package mutating func add(_ name: String, _ value: String) {
        fields.append(HTTPField(name: name, value: value))
    }

    package mutating func remove(_ name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Replaces every `name` line with one line holding `value`.
    package mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Comma-separated list elements of every `name` line, trimmed (RFC 9110 §5.6.1).
    package func listElements(_ name: String) -> [Substring] {
        var result: [Substring] = []
        for field in fields where field.name.equalsIgnoringASCIICase(name) {
            for element in field.value.split(separator: ",") {
                let trimmed = element.trimmingOWS()
                if !trimmed.isEmpty { result.append(trimmed) }
            }
        }
        return result
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality, the comparison HTTP names and tokens use.
    func equalsIgnoringASCIICase(_ other: some StringProtocol) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        var i = a.startIndex, j = b.startIndex
        while i != a.endIndex {
            var x = a[i], y = b[j]
            if x >= 0x41 && x <= 0x5A { x |= 0x20 }
            if y >= 0x41 && y <= 0x5A { y |= 0x20 }
            if x != y { return false }
            i = a.index(after: i)
            j = b.index(after: j)
        }
        return true
    }

    /// Whether the string starts with `prefix`, ignoring ASCII case.
    func hasPrefixIgnoringASCIICase(_ prefix: some StringProtocol) -> Bool {
        guard utf8.count >= prefix.utf8.count else { return false }
        return self.prefix(prefix.count).equalsIgnoringASCIICase(prefix)
    }

    /// Without leading and trailing spaces and tabs (OWS).
    func trimmingOWS() -> Substring {
        let s = Substring(self)
        var start = s.startIndex, end = s.endIndex
        while start < end, s[start] == " " || s[start] == "\t" { start = s.index(after: start) }
        while end > start {
            let before = s.index(before: end)
            guard s[before] == " " || s[before] == "\t" else { break }
            end = before
        }
        return s[start..<end]
    }
}

extension String {
    /// Decodes bytes one scalar per byte (ISO-8859-1), so every byte survives a round trip.
    init(latin1 bytes: UnsafeRawBufferPointer) {
        var ascii = true
        for b in bytes where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            self = String(decoding: bytes, as: UTF8.self)
        } else {
            var scalars = String.UnicodeScalarView()
            for b in bytes { scalars.append(Unicode.Scalar(b)) }
            self = String(scalars)
        }
    }
}
