import Testing
@testable import Proxy

/// `%B` for a response head, as measured with HAProxy 2.6 (Debian) and raw backends: each
/// response below, plus its 5-byte body `hello`, logged `expected + 5`.
@Suite struct LoggedBytesTests {
    static let measured: [(head: String, expected: Int)] = [
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 49),
        // Connection is not counted.
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", 49),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Aaaaaaaaaa: bbbbbbbbbbbbbbbbbbbb\r\n\r\n", 81),
        // Keep-Alive is counted, and the reason phrase.
        ("HTTP/1.1 404 Not Found Here\r\nContent-Length: 5\r\nKeep-Alive: timeout=5\r\n\r\n", 80),
    ]

    @Test(arguments: measured)
    func test_head_countsAsHAProxy26Logs(head: String, expected: Int) throws {
        let bytes = Array(head.utf8)
        let response = try bytes.withUnsafeBytes { try HTTPHeadParser.parseResponse($0) }
        #expect(LoggedBytes.head(response) == expected)
    }
}
