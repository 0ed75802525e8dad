/// How the body of a message is delimited (RFC 9112 §6.3).
package enum BodyFraming: Sendable, Hashable {
    /// No body (GET without Content-Length, HEAD response, 1xx/204/304).
    case none
    /// Exactly this many bytes (Content-Length).
    case length(Int64)
    /// Chunked transfer coding (RFC 9112 §7.1).
    case chunked
    /// Until the server closes (responses only).
    case untilClose
}

/// Decides a message's framing and refuses the ambiguous ones that enable request smuggling
/// (RFC 9112 §6.1, §6.3, §11.2) and invalid targets and Host fields (RFC 9112 §3.2).
package enum MessageFraming {
    /// The framing of a request body, after checking Host, target form, Content-Length and Transfer-Encoding.
    package static func request(_ head: HTTPRequestHead) throws(HTTPParseError) -> BodyFraming {
        let seen = FramingFields(head.fields)
        try validateTargetAndHost(head, hostCount: seen.hosts, hostValue: seen.host)
        let lengths = seen.lengths
        let hasTE = seen.transferEncoding
        if hasTE && lengths > 0 { throw .contentLengthWithTransferEncoding }
        if hasTE {
            guard head.minorVersion == 1 else { throw .invalidTransferEncoding }
            try validateChunkedOnly(head.fields)
            return .chunked
        }
        guard lengths > 0 else { return .none }
        guard lengths == 1, let length = parseContentLength(seen.length!) else { throw .invalidContentLength }
        if head.minorVersion == 0, length > 0, head.method == "GET" || head.method == "HEAD" { throw .bodyNotAllowed }
        return length == 0 ? .none : .length(length)
    }

    /// The framing of a response to a request with `requestMethod` (RFC 9112 §6.3 rules 1–7).
    package static func response(_ head: HTTPResponseHead, requestMethod: String) throws(HTTPParseError) -> BodyFraming {
        if requestMethod == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304 { return .none }
        if requestMethod == "CONNECT" && head.status < 300 { return .untilClose }
        let seen = FramingFields(head.fields)
        let lengths = seen.lengths
        if seen.transferEncoding {
            if lengths > 0 { throw .contentLengthWithTransferEncoding }
            let codings = head.fields.listElements(.transferEncoding)
            if let last = codings.last, last.equalsIgnoringASCIICase("chunked") { return .chunked }
            return .untilClose
        }
        guard lengths > 0 else { return .untilClose }
        guard lengths == 1, let length = parseContentLength(seen.length!) else { throw .invalidContentLength }
        return length == 0 ? .none : .length(length)
    }

    /// The fields framing reads, gathered in one pass over the head (not one pass each).
    struct FramingFields {
        var lengths = 0
        /// The first Content-Length value.
        var length: String?
        var transferEncoding = false
        var hosts = 0
        /// The first Host value.
        var host: String?

        init(_ fields: HTTPFields) {
            for i in 0..<fields.count {
                switch fields.known(at: i) {
                case .contentLength:
                    lengths += 1
                    if length == nil { length = fields.value(at: i) }
                case .transferEncoding:
                    transferEncoding = true
                case .host:
                    hosts += 1
                    if host == nil { host = fields.value(at: i) }
                default:
                    break
                }
            }
        }
    }

    /// 1*DIGIT, at most 18 digits (RFC 9110 §8.6); lists and signs are refused.
    static func parseContentLength(_ value: String) -> Int64? {
        guard !value.isEmpty, value.utf8.count <= 18 else { return nil }
        var n: Int64 = 0
        for b in value.utf8 {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            n = n * 10 + Int64(b - 0x30)
        }
        return n
    }

    /// A request's codings, over every Transfer-Encoding line, must be `chunked` alone: the proxy
    /// decodes no other coding, and a server that reads `identity, chunked` or `foo, chunked`
    /// differently from us is the request-smuggling gap (RFC 9112 §6.1, §11.2). Empty list
    /// elements are skipped as the list syntax says (RFC 9110 §5.6.1); HAProxy accepts `chunked,` too.
    private static func validateChunkedOnly(_ fields: HTTPFields) throws(HTTPParseError) {
        var codings = 0
        var chunkedOnly = true
        fields.forEachListElement(.transferEncoding) { coding in
            codings += 1
            if !coding.equalsIgnoringASCIICase("chunked") { chunkedOnly = false }
        }
        guard codings == 1, chunkedOnly else { throw .invalidTransferEncoding }
    }

    private static func validateTargetAndHost(_ head: HTTPRequestHead, hostCount: Int, hostValue: String?) throws(HTTPParseError) {
        if hostCount > 1 { throw .invalidHost }
        if head.minorVersion == 1 && hostCount == 0 { throw .invalidHost }
        if let host = hostValue {
            for b in host.utf8 where b == 0x20 || b == 0x09 || b == 0x2F || b == 0x40 || b >= 0x7F { throw .invalidHost }
        }
        let target = head.target
        if head.method == "CONNECT" {
            // authority-form: host:port
            guard !target.hasPrefix("/"), target.contains(":"), !target.contains("/") else { throw .invalidTarget }
            return
        }
        if target == "*" {
            guard head.method == "OPTIONS" else { throw .invalidTarget }
            return
        }
        if target.hasPrefix("/") { return }
        // absolute-form: scheme "://" authority path-abempty [ "?" query ]
        guard target.hasPrefixIgnoringASCIICase("http://") || target.hasPrefixIgnoringASCIICase("https://") else {
            throw .invalidTarget
        }
        let afterScheme = target[target.firstRange(of: "://")!.upperBound...]
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" }
        guard !authority.isEmpty, !authority.contains("@") else { throw .invalidTarget }
        if let host = hostValue, !host.equalsIgnoringASCIICase(authority) { throw .invalidHost }
    }
}
