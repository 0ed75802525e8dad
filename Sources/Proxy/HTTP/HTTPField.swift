/// One header field as a value (RFC 9110 §5): a name and a value, each byte of them one
/// `Unicode.Scalar` (ISO-8859-1), so obs-text passes through unchanged when it is written back.
///
/// Fields the proxy writes, configures (`option httpchk` headers) or hands to a rule are
/// `HTTPField`s. A head as received keeps its fields as offsets into its bytes instead
/// (`HTTPFields.Line`): a field becomes an `HTTPField` only when something asks for one.
package struct HTTPField: Sendable, Hashable {
    package var name: String {
        didSet { known = KnownFieldName(name) }
    }
    package var value: String
    /// The name classified once, so the lookups the proxy makes on every message compare a byte.
    private(set) var known: KnownFieldName

    package init(name: String, value: String) {
        self.name = name
        self.value = value
        self.known = KnownFieldName(name)
    }

    /// A field whose name was already classified.
    init(name: String, value: String, known: KnownFieldName) {
        self.name = name
        self.value = value
        self.known = known
    }

    package static func == (lhs: HTTPField, rhs: HTTPField) -> Bool {
        lhs.name == rhs.name && lhs.value == rhs.value
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(value)
    }
}

/// The field names the proxy itself reads or rewrites on every message; every other name is `.other`.
enum KnownFieldName: UInt8, Sendable, Hashable {
    case other
    case connection, keepAlive, proxyConnection, te, trailer, upgrade
    case transferEncoding, contentLength, host, cookie, setCookie
    /// Read on every response that a `cookie ... nocache` backend inserts a cookie into.
    case cacheControl, pragma

    init(_ name: some StringProtocol) {
        var text = String(name)
        self = text.withUTF8 { KnownFieldName(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Classifies a name from its bytes as received, before any String is made of them.
    init(bytes: UnsafeRawBufferPointer) {
        // The length and the first letter pick the one candidate; a full comparison confirms it.
        let candidate = Self.candidate(count: bytes.count, initial: (bytes.first ?? 0) | 0x20)
        guard candidate != .other else {
            self = .other
            return
        }
        let spelling = candidate.spelling
        let expected = UnsafeRawBufferPointer(start: spelling.utf8Start, count: spelling.utf8CodeUnitCount)
        for i in 0..<bytes.count {
            let b = bytes[i]
            // Only letters fold; the expected spelling is lower case.
            let folded = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
            if folded != expected[i] {
                self = .other
                return
            }
        }
        self = candidate
    }

    private static func candidate(count: Int, initial: UInt8) -> KnownFieldName {
        switch (count, initial) {
        case (2, _): .te
        case (4, _): .host
        case (6, UInt8(ascii: "p")): .pragma
        case (6, _): .cookie
        case (7, UInt8(ascii: "u")): .upgrade
        case (7, _): .trailer
        case (10, UInt8(ascii: "c")): .connection
        case (10, UInt8(ascii: "k")): .keepAlive
        case (10, _): .setCookie
        case (13, UInt8(ascii: "c")): .cacheControl
        case (14, _): .contentLength
        case (16, _): .proxyConnection
        case (17, _): .transferEncoding
        default: .other
        }
    }

    /// The name in lower case, as static bytes.
    var spelling: StaticString {
        switch self {
        case .other: ""
        case .connection: "connection"
        case .keepAlive: "keep-alive"
        case .proxyConnection: "proxy-connection"
        case .te: "te"
        case .trailer: "trailer"
        case .upgrade: "upgrade"
        case .transferEncoding: "transfer-encoding"
        case .contentLength: "content-length"
        case .host: "host"
        case .cookie: "cookie"
        case .setCookie: "set-cookie"
        case .cacheControl: "cache-control"
        case .pragma: "pragma"
        }
    }

    /// Fields that never travel past one hop (RFC 9110 §7.6.1).
    var isHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade: true
        default: false
        }
    }
}

/// A field name to look up: classified once where it is made.
struct FieldName {
    let text: String
    let known: KnownFieldName

    init(_ text: String) {
        self.text = text
        self.known = KnownFieldName(text)
    }

    init(_ known: KnownFieldName) {
        self.text = known.spelling.description
        self.known = known
    }

    // Made once: a name longer than 15 bytes is a heap string.
    static let connection = FieldName(.connection)
    static let upgrade = FieldName(.upgrade)
    static let transferEncoding = FieldName(.transferEncoding)
    static let contentLength = FieldName(.contentLength)
    static let host = FieldName(.host)
    static let cookie = FieldName(.cookie)
    static let setCookie = FieldName(.setCookie)
    static let cacheControl = FieldName(.cacheControl)
    static let pragma = FieldName(.pragma)
}

