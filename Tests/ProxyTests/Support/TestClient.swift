#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// A blocking HTTP/1.1 client over a plain socket with a receive timeout: every read is bounded.
final class TestConnection {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: String
        var raw: String
        /// The body as received (a compressed body is not text).
        var bodyBytes: [UInt8] = []

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        func headers(_ name: String) -> [String] {
            headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var peerClosed = false

    init(port: Int, timeoutMilliseconds: Int = 5000) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard LoopbackTCP.connect(fd, port: port) == 0 else {
            // No close here: the instance is fully initialised, so `deinit` runs and closes `fd`.
            // Closing it twice closed whatever descriptor another thread had just been given
            // that number (EBADF in NIO's getsockname, "write failed: errno 9" in other tests).
            throw Failure(description: "connect to \(port) failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// The client's own port, as the proxy sees it (`%cp`).
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "write failed: errno \(errno)") }
            offset += n
        }
    }

    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n == 0 {
            peerClosed = true
            return false
        }
        guard n > 0 else { throw Failure(description: "read failed or timed out: errno \(errno)") }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Reads until the peer closes (bounded by the receive timeout).
    func readToEnd() throws -> String {
        while try fill() {}
        defer { buffer.removeAll() }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Reads one complete response (Content-Length, chunked, or until close).
    func readResponse(forHead: Bool = false) throws -> Response {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = findHeadEnd()
            if headEnd == nil, !(try fill()) { throw Failure(description: "closed before a response head: \(String(decoding: buffer, as: UTF8.self))") }
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let status = Int(statusLine.split(separator: " ")[1]) ?? 0
        let headers: [(String, String)] = lines.filter { !$0.isEmpty }.map { line in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters())
        }
        buffer.removeFirst(headEnd! + 4)
        var body: [UInt8] = []
        let lengthHeader = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) }
        let chunked = headers.contains { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }
        if forHead || status == 204 || status == 304 || (100..<200).contains(status) {
        } else if let length = lengthHeader {
            while buffer.count < length { guard try fill() else { throw Failure(description: "closed inside body") } }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else if chunked {
            body = try readChunked()
        } else {
            while try fill() {}
            body = buffer
            buffer.removeAll()
        }
        return Response(status: status, headers: headers, body: String(decoding: body, as: UTF8.self), raw: headText, bodyBytes: body)
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            let size = Int(line.split(separator: ";")[0], radix: 16) ?? 0
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            while buffer.count < size + 2 { guard try fill() else { throw Failure(description: "closed inside chunk") } }
            body.append(contentsOf: buffer[0..<size])
            buffer.removeFirst(size + 2)
        }
    }

    private func readLine() throws -> String {
        while true {
            if let i = (0..<max(buffer.count - 1, 0)).first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[0..<i], as: UTF8.self)
                buffer.removeFirst(i + 2)
                return line
            }
            guard try fill() else { throw Failure(description: "closed inside a line") }
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// Reads a response, tolerating read timeouts (each bounded) up to `attempts` times.
    func readResponseWithRetries(attempts: Int) throws -> Response {
        var lastError: (any Error)?
        for _ in 0..<attempts {
            do {
                return try readResponse()
            } catch let error as Failure where error.description.contains("timed out") {
                lastError = error
            }
        }
        throw lastError ?? Failure(description: "no response")
    }

    /// One request on a fresh connection, like `curl http://127.0.0.1:PORT/PATH`.
    static func get(port: Int, path: String = "/", headers: [String] = []) throws -> Response {
        let connection = try TestConnection(port: port)
        let extra = headers.map { $0 + "\r\n" }.joined()
        try connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(extra)Connection: close\r\n\r\n")
        return try connection.readResponse()
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
