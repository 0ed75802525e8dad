package import HAConfig
import NIOCore
import Zlib

/// `compression algo|type|offload` of one frontend or backend, as the data path reads it.
package struct CompressionPlan: Sendable {
    package var algorithms: [HTTPCompression.Algorithm]
    /// Media types, lower case; empty: every type.
    package var types: [String]
    package var offload: Bool

    package init(algorithms: [HTTPCompression.Algorithm], types: [String] = [], offload: Bool = false) {
        self.algorithms = algorithms
        self.types = types.map { $0.lowercased() }
        self.offload = offload
    }

    init(_ compression: HTTPCompression) {
        self.init(algorithms: compression.algorithms, types: compression.types, offload: compression.offload)
    }

    /// What applies to a request through `frontend` to `backend`: the backend's algorithms and
    /// types where it has them, else the frontend's; `offload` when either says so. Nil: no
    /// algorithm anywhere, nothing to do.
    static func effective(frontend: CompressionPlan?, backend: CompressionPlan?) -> CompressionPlan? {
        guard frontend != nil || backend != nil else { return nil }
        let algorithms = backend.flatMap { $0.algorithms.isEmpty ? nil : $0.algorithms } ?? frontend?.algorithms ?? []
        guard !algorithms.isEmpty else { return nil }
        var plan = CompressionPlan(algorithms: algorithms)
        plan.types = backend.flatMap { $0.types.isEmpty ? nil : $0.types } ?? frontend?.types ?? []
        plan.offload = (frontend?.offload ?? false) || (backend?.offload ?? false)
        return plan
    }

    /// The algorithm for a response to `request`, decided from the request alone (HAProxy 2.6
    /// manual, `compression`): nil when the client accepts none of the configured algorithms,
    /// is HTTP/1.0 (the compressed body must be chunked), or is an old browser known to
    /// mishandle compressed bodies (`Mozilla/4` other than MSIE ≥ 6 SV1). As HAProxy 2.6 does
    /// (observed): the client's highest `q` wins (RFC 9110 §12.5.3, q=0 refuses), the client's
    /// order breaks ties, and `*` stands for the last configured algorithm. `identity` is
    /// taken when nothing else is.
    func negotiate(_ request: HTTPRequestHead) -> HTTPCompression.Algorithm? {
        guard request.minorVersion >= 1, !Self.isBrokenUserAgent(request.fields.first("User-Agent")) else { return nil }
        var best: (algorithm: HTTPCompression.Algorithm, q: Double)?
        var refused: [Substring] = []
        request.fields.forEachListElement(FieldName("Accept-Encoding")) { element in
            let parts = element.split(separator: ";", omittingEmptySubsequences: false)
            let token = parts[0].trimmingOWS()
            var q = 1.0
            for parameter in parts.dropFirst() {
                let p = parameter.trimmingOWS()
                if p.hasPrefixIgnoringASCIICase("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            }
            guard q > 0 else {
                refused.append(token)
                return
            }
            let candidate: HTTPCompression.Algorithm?
            if token == "*" {
                candidate = algorithms.last { $0 != .identity }
            } else {
                candidate = algorithms.first { $0 != .identity && (token.equalsIgnoringASCIICase($0.token) || ($0 == .gzip && token.equalsIgnoringASCIICase("x-gzip"))) }
            }
            if let candidate, q > (best?.q ?? 0) { best = (candidate, q) }
        }
        if let best, !refused.contains(where: { $0.equalsIgnoringASCIICase(best.algorithm.token) }) { return best.algorithm }
        return algorithms.contains(.identity) ? .identity : nil
    }

    private static func isBrokenUserAgent(_ agent: String?) -> Bool {
        guard let agent, agent.hasPrefix("Mozilla/4") else { return false }
        // MSIE 6 with XP SP2 ("SV1") and MSIE 7 and later decode compressed bodies.
        guard let msie = agent.firstRange(of: "MSIE ") else { return true }
        let major = Int(agent[msie.upperBound...].prefix { $0.isASCII && $0.isNumber }) ?? 0
        return !(major >= 7 || (major == 6 && agent.contains("SV1")))
    }

    /// Whether the server's response may be compressed, and if so, its head rewritten for it:
    /// `Content-Encoding`, `Vary: Accept-Encoding`, chunked instead of `Content-Length`, a
    /// strong `ETag` made weak (the bytes differ from the server's representation, RFC 9110
    /// §8.8.3). Refused (the head untouched) for a status other than 200–203, a server below
    /// HTTP/1.1, a body without length or chunks, an encoded body, `Cache-Control: no-transform`
    /// (RFC 9110 §7.7), a multipart or unlisted type, and an invalid or repeated ETag.
    func eligible(_ head: HTTPResponseHead, framing: BodyFraming, algorithm: HTTPCompression.Algorithm) -> Bool {
        guard algorithm != .identity, (200...203).contains(head.status), head.minorVersion >= 1 else { return false }
        switch framing {
        case .length, .chunked: break
        case .none, .untilClose: return false
        }
        if head.fields.contains("Content-Encoding") { return false }
        var noTransform = false
        head.fields.forEachListElement(FieldName("Cache-Control")) { if $0.equalsIgnoringASCIICase("no-transform") { noTransform = true } }
        if noTransform { return false }
        let contentType = head.fields.first("Content-Type").map { $0.prefix { $0 != ";" }.trimmingOWS().lowercased() }
        if let contentType, contentType.hasPrefix("multipart") { return false }
        if !types.isEmpty {
            guard let contentType, types.contains(contentType) else { return false }
        }
        let etags = head.fields.values("ETag")
        if etags.count > 1 { return false }
        if let etag = etags.first {
            let opaque = etag.hasPrefix("W/") ? etag.dropFirst(2) : Substring(etag)
            guard opaque.count >= 2, opaque.hasPrefix("\""), opaque.hasSuffix("\"") else { return false }
        }
        return true
    }

    /// The head of an `eligible` response, rewritten for the compressed body.
    func rewrite(_ head: inout HTTPResponseHead, framing: BodyFraming, algorithm: HTTPCompression.Algorithm) {
        if let etag = head.fields.first("ETag"), !etag.hasPrefix("W/") { head.fields.set("ETag", "W/" + etag) }
        if case .length = framing {
            head.fields.remove("Content-Length")
            head.fields.add("Transfer-Encoding", "chunked")
        }
        head.fields.add("Content-Encoding", algorithm.token)
        var varies = false
        head.fields.forEachListElement(FieldName("Vary")) { if $0.equalsIgnoringASCIICase("accept-encoding") || $0 == "*" { varies = true } }
        if !varies { head.fields.add("Vary", "Accept-Encoding") }
    }
}

/// Compresses one response body as it streams: each piece of the server's payload goes
/// through zlib and out as one chunk (RFC 9112 §7.1), so the proxy holds zlib's window and
/// nothing more of the body.
final class ResponseCompressor {
    private let deflater: Deflater
    /// Input given to zlib since the last flush: a flush is owed before the proxy waits for more.
    private(set) var hasUnflushedInput = false

    init(_ algorithm: HTTPCompression.Algorithm) throws {
        let format: ZlibFormat = switch algorithm {
        case .gzip: .gzip
        case .deflate: .zlib
        case .rawDeflate, .identity: .raw
        }
        deflater = try Deflater(format: format)
    }

    /// The chunk carrying what zlib gives back for `payload` (nil: nothing yet). With `.sync`,
    /// everything received so far; with `.finish`, the stream's end and the last chunk.
    func chunk(_ payloads: [ByteBuffer], flush: ZlibFlush, allocator: ByteBufferAllocator) throws -> ByteBuffer? {
        let total = payloads.reduce(0) { $0 + $1.readableBytes }
        var out = allocator.buffer(capacity: total / 2 + 64)
        // A fixed-width size line, filled in once the size is known (leading zeros are valid).
        out.writeStaticString("00000000\r\n")
        for (index, payload) in payloads.enumerated() {
            try deflater.deflate(payload, flush: index == payloads.count - 1 ? flush : .none, into: &out)
        }
        if payloads.isEmpty, flush != .none { try deflater.deflate(ByteBuffer(), flush: flush, into: &out) }
        hasUnflushedInput = flush == .none && (hasUnflushedInput || total > 0)
        let size = out.readableBytes - 10
        if size == 0 {
            guard flush == .finish else { return nil }
            out.clear()
        } else {
            let hex = String(size, radix: 16)
            out.setString(String(repeating: "0", count: 8 - hex.utf8.count) + hex, at: out.readerIndex)
            out.writeStaticString("\r\n")
        }
        if flush == .finish { out.writeStaticString("0\r\n\r\n") }
        return out
    }
}
