import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A threaded loopback HTTP/1.1 server answering `body` to every GET (after 2 s on `/slow`),
/// started and stopped by pid.
final class LoopbackResponder: Sendable {
    let process: ChildProcess
    let port: Int

    init(body: String, port: Int) throws {
        self.port = port
        process = try ChildProcess("/usr/bin/env", ["python3", "-c", """
            import http.server, time
            class H(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def do_GET(self):
                    if self.path == "/slow": time.sleep(2)
                    b = b"\(body)"
                    self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
                def log_message(self, *a): pass
            http.server.ThreadingHTTPServer(("127.0.0.1", \(port)), H).serve_forever()
            """], standardOutput: .null, standardError: .null)
    }

    func stop() {
        process.kill(SIGKILL)
        process.waitUntilExit()
    }
}
