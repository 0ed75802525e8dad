import Foundation
import HACore
import HAConfig
import NIOCore
import NIOPosix
import Testing
import TestSupport
@testable import Proxy

/// `bind ... ssl crt DIR` end to end: real sockets on loopback, Debian's curl and `openssl s_client`.
@Suite(.serialized) struct ProxyTLSTests {
    /// A frontend with a plain bind and a TLS bind (three certificates: a, b, a wildcard) in front
    /// of one test server; `body` gets the server, the plain port, the TLS port and the log.
    func withTLSProxy(extraFrontendLines: String = "", bindOptions: String = "alpn h2,http/1.1",
                      _ body: (TestHTTPServer, Int, Int, LogReceiver, TestCertificates) async throws -> Void) async throws {
        let certificates = try TestCertificates()
        try certificates.bundle("certs/10-a.pem", commonName: "a.example.com", names: ["a.example.com"])
        try certificates.bundle("certs/20-b.pem", commonName: "b.example.com", names: ["b.example.com"])
        try certificates.bundle("certs/30-wild.pem", commonName: "wildcard", names: ["*.example.net"])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await TestHTTPServer.start(name: "websvr1", group: group)
        let receiver = LogReceiver(path: "/tmp/hp-tls-\(getpid()).sock")
        let text = """
        global
            nbthread 1
        defaults
            mode http
            timeout connect 1s
            timeout client 2s
            timeout server 5s
        frontend web
            bind 127.0.0.1:1
            bind 127.0.0.1:2 ssl crt \(certificates.directory)/certs \(bindOptions)
            http-request set-header X-Forwarded-Proto https if { ssl_fc }
        \(extraFrontendLines)
            default_backend app
        backend app
            server websvr1 127.0.0.1:\(server.port)

        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        var plan = try ProxyPlan(configuration: configuration)
        for index in plan.frontends[0].binds.indices { plan.frontends[0].binds[index].port = 0 }
        plan.frontends[0].logTargets = nil
        plan.logTargets = [.syslogUnixSocket(path: receiver.path, facility: 16)]
        do {
            try await ProxyHarness.withProxy(plan) { service, _ in
                let ports = service.boundAddresses().compactMap(\.port)
                try await body(server, ports[0], ports[1], receiver, certificates)
            }
        } catch {
            await server.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await server.stop()
        try await group.shutdownGracefully()
    }

    /// `openssl s_client` against the TLS port; its stdout and stderr together, and its exit status.
    /// `openssl s_client`; with `input`, sends it and reads until the server closes (`-ign_eof`),
    /// so what the server sends after the handshake (a TLS 1.3 session ticket) is read too.
    static func sClient(port: Int, _ arguments: [String], input: String? = nil) throws -> (output: String, status: Int32) {
        let client = try ChildProcess.run(
            "/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)"] + arguments + (input == nil ? [] : ["-ign_eof"]),
            input: input, standardError: .standardOutput)
        return (client.standardOutput, client.termination.status)
    }

    @Test func test_sni_selectsAmongThreeCertificates_wildcardAndDefault() async throws {
        try await withTLSProxy { _, _, tlsPort, _, _ in
            for (name, subject) in [("a.example.com", "CN = a.example.com"), ("b.example.com", "CN = b.example.com"),
                                    ("www.example.net", "CN = wildcard"), ("unknown.example.org", "CN = a.example.com")] {
                let result = try Self.sClient(port: tlsPort, ["-servername", name])
                #expect(result.output.contains("subject=\(subject)"), "SNI \(name)")
            }
            let anonymous = try Self.sClient(port: tlsPort, ["-noservername"])
            #expect(anonymous.output.contains("subject=CN = a.example.com"))
        }
    }

    @Test func test_alpn_negotiatesHTTP1_only() async throws {
        try await withTLSProxy { _, _, tlsPort, _, _ in
            let result = try Self.sClient(port: tlsPort, ["-servername", "a.example.com", "-alpn", "h2,http/1.1"])
            #expect(result.output.contains("ALPN protocol: http/1.1"))
        }
    }

    @Test(arguments: ["-tls1", "-tls1_1"])
    func test_oldProtocolVersions_areRefusedAndLogged(flag: String) async throws {
        try await withTLSProxy { server, _, tlsPort, receiver, _ in
            let result = try Self.sClient(port: tlsPort, [flag, "-cipher", "DEFAULT@SECLEVEL=0"])
            #expect(result.status != 0)
            let line = try #require(receiver.next())
            #expect(line.contains("web/127.0.0.1:2: SSL handshake failure: protocol version refused"), "\(line)")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func test_curl_overTLS_reachesTheServerWithForwardedProtoHTTPS() async throws {
        try await withTLSProxy { server, plainPort, tlsPort, _, certificates in
            let body = try Curl.run(["--cacert", certificates.directory + "/certs/20-b.pem",
                                     "--resolve", "b.example.com:\(tlsPort):127.0.0.1", "https://b.example.com:\(tlsPort)/headers"])
            #expect(body.contains("X-Forwarded-Proto: https"), "\(body)")
            let plain = try Curl.run(["http://127.0.0.1:\(plainPort)/headers"])
            #expect(plain.contains("This is") || plain.contains("Host"))
            #expect(!plain.contains("X-Forwarded-Proto"))
            #expect(server.trafficRequests.count == 2)
        }
    }

    @Test func test_sslFCProtocolCipherALPN_asSampleFetchesAndLogVariables_inAHeader() async throws {
        let lines = "    http-request set-header X-TLS \"%[ssl_fc_protocol] %[ssl_fc_cipher] %[ssl_fc_alpn] %sslv %sslc %ft\""
        try await withTLSProxy(extraFrontendLines: lines) { _, plainPort, tlsPort, _, certificates in
            let body = try Curl.run(["--cacert", certificates.directory + "/certs/20-b.pem", "--tlsv1.3", "--http1.1",
                                     "--resolve", "b.example.com:\(tlsPort):127.0.0.1", "https://b.example.com:\(tlsPort)/headers"])
            #expect(body.contains("X-TLS: TLSv1.3 TLS_AES_256_GCM_SHA384 http/1.1 TLSv1.3 TLS_AES_256_GCM_SHA384 web~"), "\(body)")
            let plain = try Curl.run(["http://127.0.0.1:\(plainPort)/headers"])
            #expect(plain.contains("X-TLS:     web\r") || plain.contains("X-TLS:     web\n") || plain.contains("X-TLS: web"), "\(plain)")
            #expect(!plain.contains("web~"))
        }
    }

    @Test func test_sslFCProtocol_asAnACL_deniesTLS12Only() async throws {
        let lines = "    http-request deny if { ssl_fc_protocol TLSv1.2 }\n    http-request deny if { ssl_fc_alpn -m str h2 }"
        try await withTLSProxy(extraFrontendLines: lines) { server, _, tlsPort, _, certificates in
            let common = ["-i", "--cacert", certificates.directory + "/certs/20-b.pem", "--http1.1",
                          "--resolve", "b.example.com:\(tlsPort):127.0.0.1", "https://b.example.com:\(tlsPort)/"]
            let old = try Curl.run(["--tls-max", "1.2"] + common)
            #expect(old.hasPrefix("HTTP/1.1 403"), "\(old)")
            let current = try Curl.run(["--tlsv1.3"] + common)
            #expect(current.hasPrefix("HTTP/1.1 200"), "\(current)")
            #expect(server.trafficRequests.count == 1)
        }
    }

    /// One TLS frontend with `maxconn`, in front of a test server; `body` gets the service and the port.
    func withSmallTLSFrontend(maxconn: Int, _ body: (ProxyService, Int, TestCertificates) async throws -> Void) async throws {
        let certificates = try TestCertificates()
        try certificates.bundle("certs/10-a.pem", commonName: "a.example.com", names: ["a.example.com"])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await TestHTTPServer.start(name: "websvr1", group: group)
        let text = """
        global
            nbthread 1
        defaults
            mode http
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend web
            maxconn \(maxconn)
            bind 127.0.0.1:2 ssl crt \(certificates.directory)/certs
            default_backend app
        backend app
            server websvr1 127.0.0.1:\(server.port)

        """
        var plan = try ProxyPlan(configuration: ConfigurationLoader.parse(text: text, file: "t.conf"))
        plan.frontends[0].binds[0].port = 0
        do {
            try await ProxyHarness.withProxy(plan) { service, port in try await body(service, port, certificates) }
        } catch {
            await server.stop()
            try await group.shutdownGracefully()
            throw error
        }
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_failedHandshakes_areCountedInTheFrontendCounters_goodOnesAreNot() async throws {
        try await withSmallTLSFrontend(maxconn: 100) { service, port, certificates in
            let plaintext = try TestConnection(port: port)
            try plaintext.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n")
            _ = try? plaintext.readToEnd()
            _ = try Self.sClient(port: port, ["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"])
            let good = try Curl.run(["-i", "--cacert", certificates.directory + "/certs/10-a.pem",
                                     "--resolve", "a.example.com:\(port):127.0.0.1", "https://a.example.com:\(port)/"])
            #expect(good.hasPrefix("HTTP/1.1 200"), "\(good)")
            let counted = try await ProxyHarness.waitUntil(seconds: 5) {
                await service.snapshot().frontends[0].counters.handshakeFailures == 2
            }
            let failures = await service.snapshot().frontends[0].counters.handshakeFailures
            #expect(counted, "\(failures)")
        }
    }

    @Test func test_aConnectionStillInItsHandshake_holdsAMaxconnSlot() async throws {
        try await withSmallTLSFrontend(maxconn: 1) { _, port, certificates in
            let arguments = ["-i", "--cacert", certificates.directory + "/certs/10-a.pem",
                             "--resolve", "a.example.com:\(port):127.0.0.1", "https://a.example.com:\(port)/"]
            // Connected, never says hello: its handshake is in progress.
            var silent: TestConnection? = try TestConnection(port: port)
            try await Task.sleep(for: .milliseconds(200))
            let blocked = try Curl.run(["--max-time", "1"] + arguments)
            #expect(blocked.isEmpty, "a second connection must wait in the backlog: \(blocked)")
            _ = silent
            silent = nil
            let admitted = try Curl.run(arguments)
            #expect(admitted.hasPrefix("HTTP/1.1 200"), "\(admitted)")
        }
    }

    @Test func test_redirectSchemeHTTPS_unlessSSLFC_redirectsOnlyThePlainBind() async throws {
        try await withTLSProxy(extraFrontendLines: "    http-request redirect scheme https unless { ssl_fc }") { server, plainPort, tlsPort, _, certificates in
            let plain = try Curl.run(["-i", "-H", "Host: a.example.com", "http://127.0.0.1:\(plainPort)/x?y=1"])
            #expect(plain.hasPrefix("HTTP/1.1 302"))
            #expect(plain.contains("location: https://a.example.com/x?y=1") || plain.contains("Location: https://a.example.com/x?y=1"), "\(plain)")
            let secure = try Curl.run(["-i", "--cacert", certificates.directory + "/certs/10-a.pem",
                                       "--resolve", "a.example.com:\(tlsPort):127.0.0.1", "https://a.example.com:\(tlsPort)/x"])
            #expect(secure.hasPrefix("HTTP/1.1 200"), "\(secure)")
            #expect(server.trafficRequests.count == 1)
        }
    }

    @Test func test_redirectIfNotSSLFC_theGuideSpelling() async throws {
        try await withTLSProxy(extraFrontendLines: "    redirect scheme https if !{ ssl_fc }") { _, plainPort, _, _, _ in
            let plain = try Curl.run(["-i", "-H", "Host: a.example.com", "http://127.0.0.1:\(plainPort)/"])
            #expect(plain.hasPrefix("HTTP/1.1 302"), "\(plain)")
        }
    }

    @Test func test_plaintextHTTP_onTheTLSPort_isClosedLoggedAndNeverForwarded() async throws {
        try await withTLSProxy { server, _, tlsPort, receiver, _ in
            let connection = try TestConnection(port: tlsPort)
            try connection.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n")
            _ = try? connection.readToEnd()
            let line = try #require(receiver.next())
            #expect(line.contains("SSL handshake failure: plain HTTP on a TLS port"), "\(line)")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func test_clientHelloCutInTheMiddle_isLoggedAsClosedDuringTheHandshake() async throws {
        try await withTLSProxy { server, _, tlsPort, receiver, _ in
            let connection = try TestConnection(port: tlsPort)
            // A handshake record announcing 512 bytes, of which 40 arrive.
            try connection.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03] + [UInt8](repeating: 7, count: 29))
            connection.shutdownWrite()
            _ = try? connection.readToEnd()
            let line = try #require(receiver.next())
            #expect(line.contains("connection closed during the handshake"), "\(line)")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func test_stalledHandshake_isClosedByTimeoutClient() async throws {
        try await withTLSProxy { server, _, tlsPort, receiver, _ in
            let connection = try TestConnection(port: tlsPort, timeoutMilliseconds: 6000)
            try connection.send([0x16, 0x03, 0x01])
            let start = ContinuousClock.now
            _ = try? connection.readToEnd()
            let waited = ContinuousClock.now - start
            #expect(waited < .seconds(5))
            let line = try #require(receiver.next())
            #expect(line.contains("SSL handshake timeout"), "\(line)")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func test_tcpMode_terminatesTLSBeforeConnectingTheServer() async throws {
        let certificates = try TestCertificates()
        let path = try certificates.bundle("site.pem", commonName: "tcp.example.com", names: ["tcp.example.com"])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let echo = try await RawTCPServer.start(group: group, behaviour: .echo)
        let text = """
        global
            nbthread 1
        listen tls-echo
            mode tcp
            bind 127.0.0.1:1 ssl crt \(path)
            timeout client 2s
            timeout server 2s
            timeout connect 1s
            server echo 127.0.0.1:\(echo.port)

        """
        var plan = try ProxyPlan(configuration: ConfigurationLoader.parse(text: text, file: "t.conf"))
        plan.frontends[0].binds[0].port = 0
        try await ProxyHarness.withProxy(plan) { _, port in
            let client = try ChildProcess(
                "/usr/bin/openssl", ["s_client", "-quiet", "-connect", "127.0.0.1:\(port)", "-servername", "tcp.example.com"],
                standardInput: .pipe, standardOutput: .pipe, standardError: .null)
            try client.writeToStandardInput("hello through tls\n")
            let echoed = client.standardOutput.readAvailable()
            client.closeStandardInput()
            client.waitUntilExit()
            #expect(String(decoding: echoed, as: UTF8.self).contains("hello through tls"))
        }
        await echo.stop()
        try await group.shutdownGracefully()
    }

    @Test func test_check_reportsAnUnreadableCertificateAtItsLine() throws {
        let text = "frontend web\n    mode http\n    bind :443 ssl crt /nonexistent/site.pem\n    default_backend app\nbackend app\n    mode http\n    server s 127.0.0.1:80\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect {
            try ProxyService.validate(configuration)
        } throws: { error in
            let text = "\(error)"
            return text.contains("t.conf:3") && text.contains("/nonexistent/site.pem") && text.contains("No such file or directory")
        }
    }

    @Test func test_check_reportsAKeyNotMatchingItsCertificate() throws {
        let certificates = try TestCertificates()
        let path = try certificates.mismatchedBundle("bad.pem")
        let text = "frontend web\n    mode http\n    bind :443 ssl crt \(path)\n    default_backend app\nbackend app\n    mode http\n    server s 127.0.0.1:80\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect {
            try ProxyService.validate(configuration)
        } throws: { error in
            let text = "\(error)"
            return text.contains("t.conf:3") && text.contains(path) && text.contains("does not match its certificate")
        }
    }

    @Test func test_check_warnsOfAnExpiredCertificateWithItsDate() throws {
        let certificates = try TestCertificates()
        let path = try certificates.bundle("old.pem", commonName: "old", names: ["old.example.com"], days: 1)
        let text = "frontend web\n    mode http\n    bind :443 ssl crt \(path)\n    default_backend app\nbackend app\n    mode http\n    server s 127.0.0.1:80\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        let inTenDays = Int64(Date().timeIntervalSince1970) + 10 * 86400
        let plan = try ProxyPlan(configuration: configuration, now: inTenDays)
        let warning = try #require(plan.configWarnings.first)
        #expect("\(warning)".hasPrefix("t.conf:3"))
        #expect(warning.message.contains("expired on 20"))
        #expect(warning.message.contains(" UTC"))
        #expect(try ProxyPlan(configuration: configuration).configWarnings.isEmpty)
    }
}
