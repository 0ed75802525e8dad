import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A backup node binds the VIP before it owns it (IP_FREEBIND), and serves through it as soon
/// as the address arrives, without a restart. Namespaces `hp-*`, addresses from 198.18.0.0/15.
@Suite(.serialized) struct ProxyFreebindTests {
    @Test func test_vipBind_succeedsBeforeTheAddressExists_andServesOnceItArrives() throws {
        guard NamespaceLab.isAvailable else {
            print("skipped: needs root")
            return
        }
        let lab = try NamespaceLab(tag: "hp", hosts: [
            ("lb", "198.18.9.1/24"), ("web", "198.18.9.2/24"), ("client", "198.18.9.3/24"),
        ])
        defer { lab.destroy() }
        // Prove the socket option does the work: the namespace-wide sysctl stays off.
        try lab.exec("lb", ["sysctl", "-qw", "net.ipv4.ip_nonlocal_bind=0"])
        _ = try lab.spawn("web", ["python3", "-c", """
            import http.server
            class H(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    b = b"This is HTTP server websvr1\\n"
                    self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
                def log_message(self, *a): pass
            http.server.HTTPServer(("198.18.9.2", 80), H).serve_forever()
            """], name: "web")
        let configuration = try lab.writeFile("hactl.cfg", """
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s

            frontend vip
                bind 198.18.9.100:80
                default_backend web

            backend web
                server websvr1 198.18.9.2:80
            """)
        let hactl = try lab.spawn("lb", [RunHactlProcess.binary, "run", "--role", "backup", "-f", configuration,
                                         "-S", "\(lab.runDirectory)/lb.sock"], name: "hactl")
        let listening = lab.wait(timeout: .seconds(10), interval: .milliseconds(50)) {
            ((try? lab.exec("lb", ["ss", "-Hltn", "src", "198.18.9.100"])) ?? "").contains("198.18.9.100:80")
        }
        #expect(listening != nil, "hactl did not bind the VIP: \((try? String(contentsOfFile: hactl.logPath, encoding: .utf8)) ?? "")")
        #expect(hactl.isRunning)
        #expect(!lab.holds("lb", "198.18.9.100"))

        // The VIP arrives (as VRRP would add it): the same listener now serves through it.
        try lab.exec("lb", ["ip", "addr", "add", "198.18.9.100/24", "dev", "eth0"])
        var body = ""
        lab.wait(timeout: .seconds(10), interval: .milliseconds(50)) {
            body = (try? lab.exec("client", ["curl", "-s", "--max-time", "2", "http://198.18.9.100/"])) ?? ""
            return body == "This is HTTP server websvr1\n"
        }
        #expect(body == "This is HTTP server websvr1\n")
    }
}
