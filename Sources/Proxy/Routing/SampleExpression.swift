import NIOCore

/// A compiled `%[FETCH,CONVERTER...]` (HAProxy §7.3): what to read from the request and what to do
/// with it, decided at configuration time. Evaluating it reads `RequestFacts` and builds at most
/// one string per converter; it takes no lock and touches nothing outside the request.
package struct SampleExpression: Sendable, Hashable {
    package var fetch: SampleFetch
    package var converters: [SampleConverter]

    package init(fetch: SampleFetch, converters: [SampleConverter] = []) {
        self.fetch = fetch
        self.converters = converters
    }

    /// The sample for `facts`, converted.
    func evaluate(_ facts: RequestFacts) -> SampleValue {
        var value = fetch.evaluate(facts)
        for converter in converters { value = converter.apply(to: value) }
        return value
    }

    /// Appends the sample as text; an absent sample (a missing header, `query` without `?`) adds
    /// nothing, as HAProxy does in a header value.
    func append(_ facts: RequestFacts, to output: inout String) {
        evaluate(facts).append(to: &output)
    }
}

/// A sample fetch (§7.3.2, §7.3.6) bound to what it reads.
package enum SampleFetch: Sendable, Hashable {
    case source, sourcePort, destination, destinationPort
    /// `req.hdr(NAME,OCC)`: one comma-separated element; OCC counts from 1, or from -1 (the last).
    case header(FieldNameKey, occurrence: Int)
    /// `req.fhdr(NAME,OCC)`: one whole header line's value.
    case fullHeader(FieldNameKey, occurrence: Int)
    case path, url, query, method, base, requestVersion
    /// `fe_name`: read from the request, since a backend's rules serve several frontends.
    case frontendName
    /// `ssl_fc`: the client came in over TLS.
    case sslFrontConnection
    /// `ssl_fc_sni`: the SNI of the client's handshake; absent on a plain bind or without SNI.
    case sslServerName
    /// `var(SCOPE.NAME)`.
    case variable(VariableSlot)
    /// Text the configuration fixes (`fe_name` in a frontend's `set-var`).
    case constant(String)
    /// `status`: the response's status (absent on the request side).
    case status
    /// `res.hdr(NAME,OCC)`: one comma-separated element of a response header.
    case responseHeader(FieldNameKey, occurrence: Int)
    /// `uuid`: a random version-4 UUID.
    case uuid
    /// `ssl_fc_protocol`, `ssl_fc_cipher`, `ssl_fc_alpn`: absent on a plain bind.
    case sslProtocol, sslCipher, sslALPN
    /// `req.cook(NAME)`: the value of the last cookie NAME of the request's Cookie lines.
    case cookie(String)
    /// `url_param(NAME)`: the value of the first query parameter NAME.
    case urlParameter(String)
    /// `ssl_c_used`, `ssl_c_verify`: absent on a plain bind; `ssl_c_s_dn`, `ssl_c_i_dn`: absent
    /// without a client certificate.
    case sslClientUsed, sslClientVerify, sslClientSubjectDN, sslClientIssuerDN

    func evaluate(_ facts: RequestFacts) -> SampleValue {
        switch self {
        case .source:
            facts.source.map(SampleValue.address) ?? .absent
        case .sourcePort:
            facts.source?.port.map(SampleValue.integer) ?? .absent
        case .destination:
            facts.destination.map(SampleValue.address) ?? .absent
        case .destinationPort:
            (facts.destinationPort ?? facts.destination?.port).map(SampleValue.integer) ?? .absent
        case .header(let key, let occurrence):
            Self.element(of: facts.head.fields, key.name, occurrence: occurrence)
        case .fullHeader(let key, let occurrence):
            Self.line(of: facts.head.fields, key.name, occurrence: occurrence)
        case .path:
            .text(facts.head.path)
        case .url:
            .text(Substring(facts.head.target))
        case .query:
            facts.head.query.map(SampleValue.text) ?? .absent
        case .method:
            .text(Substring(facts.head.method))
        case .base:
            // HAProxy: the first Host header followed by the path; the path alone without Host.
            .text(Substring((facts.head.fields.first(FieldName.host) ?? "") + facts.head.path))
        case .requestVersion:
            .text(facts.head.minorVersion == 0 ? "1.0" : "1.1")
        case .frontendName:
            .text(Substring(facts.frontendName))
        case .sslFrontConnection:
            .boolean(facts.tls)
        case .sslServerName:
            facts.tlsServerName.map { .text(Substring($0)) } ?? .absent
        case .variable(let slot):
            facts.variable(slot)
        case .constant(let text):
            .text(Substring(text))
        case .status:
            facts.response.map { SampleValue.integer($0.status) } ?? .absent
        case .responseHeader(let key, let occurrence):
            facts.response.map { Self.element(of: $0.fields, key.name, occurrence: occurrence) } ?? .absent
        case .uuid:
            .text(Substring(Self.randomUUID()))
        case .sslProtocol:
            facts.tlsProtocol.map { .text(Substring($0)) } ?? .absent
        case .sslCipher:
            facts.tlsCipher.map { .text(Substring($0)) } ?? .absent
        case .sslALPN:
            facts.tlsALPN.map { .text(Substring($0)) } ?? .absent
        case .cookie(let name):
            Self.cookie(name, in: facts.head.fields)
        case .urlParameter(let name):
            Self.parameter(name, in: facts.head.query)
        case .sslClientUsed:
            facts.tls ? .boolean(facts.tlsClientCertificateUsed) : .absent
        case .sslClientVerify:
            facts.tlsClientVerify.map { .integer($0) } ?? .absent
        case .sslClientSubjectDN:
            facts.tlsClientSubjectDN.map { .text(Substring($0)) } ?? .absent
        case .sslClientIssuerDN:
            facts.tlsClientIssuerDN.map { .text(Substring($0)) } ?? .absent
        }
    }

    /// HAProxy takes the last occurrence of a request cookie (§7.3.6 `req.cook`).
    static func cookie(_ name: String, in fields: HTTPFields) -> SampleValue {
        var found: Substring?
        let cookieName = FieldName("Cookie")
        for i in 0..<fields.count where fields.hasName(cookieName, at: i) {
            for pair in fields.value(at: i).split(separator: ";") {
                let trimmed = pair.drop { $0 == " " || $0 == "\t" }
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                found = trimmed[trimmed.index(after: equals)...]
            }
        }
        guard var value = found else { return .absent }
        while value.last == " " || value.last == "\t" { value.removeLast() }
        return .text(value)
    }

    /// The first `NAME=VALUE` of the query string (§7.3.6 `url_param`).
    static func parameter(_ name: String, in query: Substring?) -> SampleValue {
        guard let query else { return .absent }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == name { return .text(parts[1]) }
        }
        return .absent
    }

    /// RFC 9562 §5.4: 122 random bits, version 4, variant 10, lower-case hexadecimal.
    static func randomUUID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = SampleConverter.hex(bytes).lowercased()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    /// The element at `occurrence` of every `name` line split at commas.
    private static func element(of fields: HTTPFields, _ name: FieldName, occurrence: Int) -> SampleValue {
        var target = occurrence
        if occurrence < 0 {
            var count = 0
            fields.forEachListElement(name) { _ in count += 1 }
            target = count + occurrence + 1
            if target < 1 { return .absent }
        }
        var seen = 0
        var found: Substring?
        fields.forEachListElement(name) { element in
            seen += 1
            if seen == target { found = element }
        }
        return found.map(SampleValue.text) ?? .absent
    }

    /// The whole value of the `name` line at `occurrence`.
    private static func line(of fields: HTTPFields, _ name: FieldName, occurrence: Int) -> SampleValue {
        var target = occurrence
        if occurrence < 0 {
            target = fields.occurrences(name) + occurrence + 1
            if target < 1 { return .absent }
        }
        var seen = 0
        for i in 0..<fields.count where fields.hasName(name, at: i) {
            seen += 1
            if seen == target { return .text(Substring(fields.value(at: i))) }
        }
        return .absent
    }
}

/// A header name looked up by a fetch, classified once at configuration time.
package struct FieldNameKey: Sendable, Hashable {
    let name: FieldName
    package let text: String

    package init(_ text: String) {
        self.text = text
        self.name = FieldName(text)
    }

    package static func == (a: FieldNameKey, b: FieldNameKey) -> Bool { a.text.lowercased() == b.text.lowercased() }
    package func hash(into hasher: inout Hasher) { hasher.combine(text.lowercased()) }
}

/// A converter (§7.3.1).
package enum SampleConverter: Sendable, Hashable {
    case lower, upper, base64, hex
    /// `field(N,SEPARATORS)`: separators are single characters; N counts from 1 or from -1 (the last).
    case field(index: Int, separators: Set<Character>)
    /// `word(N,SEPARATORS)`: as `field`, but empty words do not count.
    case word(index: Int, separators: Set<Character>)

    func apply(to value: SampleValue) -> SampleValue {
        if case .absent = value { return .absent }
        switch self {
        case .lower: return .text(Substring(value.text.lowercased()))
        case .upper: return .text(Substring(value.text.uppercased()))
        case .base64: return .text(Substring(Self.base64(value.bytes)))
        case .hex: return .text(Substring(Self.hex(value.bytes)))
        case .field(let index, let separators):
            return Self.pick(value.text.split(omittingEmptySubsequences: false, whereSeparator: { separators.contains($0) }), index)
        case .word(let index, let separators):
            return Self.pick(value.text.split(whereSeparator: { separators.contains($0) }), index)
        }
    }

    private static func pick(_ parts: [Substring], _ index: Int) -> SampleValue {
        let position = index > 0 ? index - 1 : parts.count + index
        guard parts.indices.contains(position) else { return .text("") }
        return .text(parts[position])
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
    private static let base64Digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 4648 §4 base64 with `=` padding.
    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(base64Digits[Int(triple >> 18 & 0x3F)])
            out.append(base64Digits[Int(triple >> 12 & 0x3F)])
            out.append(remaining > 1 ? base64Digits[Int(triple >> 6 & 0x3F)] : UInt8(ascii: "="))
            out.append(remaining > 2 ? base64Digits[Int(triple & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A sample's value, typed as HAProxy types it: the type decides how it becomes text (an address
/// as `192.0.2.1`, a boolean as `0`/`1`) and bytes for `hex`/`base64` (an address as its 4 or 16
/// bytes, an integer as 8 bytes big-endian, text as its UTF-8).
enum SampleValue {
    case absent
    case text(Substring)
    case integer(Int)
    case boolean(Bool)
    case address(SocketAddress)

    var text: Substring {
        switch self {
        case .absent: ""
        case .text(let text): text
        case .integer(let value): Substring(String(value))
        case .boolean(let value): value ? "1" : "0"
        case .address(let address): Substring(address.ipAddress ?? "")
        }
    }

    var bytes: [UInt8] {
        switch self {
        case .absent: []
        case .text(let text): Array(text.utf8)
        case .integer(let value): withUnsafeBytes(of: Int64(value).bigEndian) { Array($0) }
        case .boolean(let value): withUnsafeBytes(of: Int64(value ? 1 : 0).bigEndian) { Array($0) }
        case .address(let address): CIDR.addressBytes(address)
        }
    }

    func append(to output: inout String) {
        switch self {
        case .absent: break
        case .text(let text): output += text
        case .integer(let value): output += String(value)
        case .boolean(let value): output += value ? "1" : "0"
        case .address(let address): output += address.ipAddress ?? ""
        }
    }
}
