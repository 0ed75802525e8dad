/// `%B` (`bytes_read`, HAProxy configuration manual §8.2.3/§8.2.4) as HAProxy 2.6 counts it.
///
/// Measured against HAProxy 2.6 (Debian) with raw test backends, not the manual's wording: the
/// count is of the server's response as HAProxy holds it after parsing, not of the bytes on
/// either wire. A head counts 20, plus its version, status code and reason, plus each field's name
/// and value (no `": "`, no CRLF; `Connection` fields not counted, `Keep-Alive` counted), plus 1
/// for its end; a body counts its payload only (chunk framing off), plus 1 at the end of a chunked
/// one. `http-response` additions and removals are not counted.
/// Examples: `HTTP/1.1 200 OK` + `Content-Length: 5` + `hello` (43 bytes on the wire) logs 54.
enum LoggedBytes {
    /// What the head as received from the server (hop-by-hop fields not yet dropped) counts.
    static func head(_ response: HTTPResponseHead) -> Int {
        // "HTTP/1.x" and a three-digit status.
        var count = 20 + 8 + 3 + response.reason.utf8.count + 1
        for i in 0..<response.fields.count where response.fields.known(at: i) != .connection {
            count += response.fields.nameAndValueBytes(at: i)
        }
        return count
    }

    /// The end of a chunked body.
    static let chunkedEnd = 1
}
