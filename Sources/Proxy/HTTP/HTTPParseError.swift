/// Why an HTTP/1.1 message head or body was refused (RFC 9112 §2–§7, RFC 9110 §5).
///
/// Every case maps to the status the proxy answers with; the connection is then closed and
/// nothing of the message is forwarded (request-smuggling defence, RFC 9112 §11.2).
package enum HTTPParseError: Error, Sendable, Hashable {
    /// Bare CR or LF in the head, or a line ending other than CRLF (RFC 9112 §2.2).
    case invalidLineEnding
    /// The request or status line does not match the grammar (RFC 9112 §3, §4).
    case invalidStartLine
    /// The method is not a token (RFC 9110 §9.1).
    case invalidMethod
    /// The request-target contains forbidden bytes or does not fit the method (RFC 9112 §3.2).
    case invalidTarget
    /// The protocol version is not HTTP/1.0 or HTTP/1.1 (RFC 9112 §2.3).
    case invalidVersion
    /// A header field name is not a token, or whitespace precedes the colon (RFC 9112 §5.1).
    case invalidHeaderName
    /// A header value contains a control character (RFC 9110 §5.5).
    case invalidHeaderValue
    /// A header line starts with whitespace: obsolete line folding (RFC 9112 §5.2).
    case obsoleteLineFolding
    /// Missing, repeated or invalid Host (RFC 9112 §3.2), or absolute-form target and Host disagree (§3.2.2).
    case invalidHost
    /// Content-Length repeated, empty or not a decimal number (RFC 9112 §6.3).
    case invalidContentLength
    /// Both Content-Length and Transfer-Encoding (RFC 9112 §6.1, §11.2).
    case contentLengthWithTransferEncoding
    /// A request's Transfer-Encoding other than exactly `chunked`, or on HTTP/1.0 (RFC 9112 §6.1);
    /// a response's with `chunked` anywhere but last.
    case invalidTransferEncoding
    /// A chunk size line that is not hexadecimal or overflows (RFC 9112 §7.1).
    case invalidChunk
    /// A body on an HTTP/1.0 GET or HEAD request.
    case bodyNotAllowed
    /// More field lines than `tune.http.maxhdr` allows (the start line counts as one).
    case tooManyFields
    /// The head does not fit in `tune.bufsize`.
    case headTooLarge

    /// The status code the proxy answers with.
    package var status: Int {
        switch self {
        case .headTooLarge: 431
        case .bodyNotAllowed: 413
        default: 400
        }
    }
}
