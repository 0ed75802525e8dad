import HAConfig
import Testing

@Suite struct ServerTLSOptionsTests {
    @Test func test_serverTLSOptions_areParsedWithCABaseAndCrtBase_andPrintedBack() throws {
        let text = """
        global
            ca-base /etc/ssl/hactl-ca
            crt-base /etc/ssl/hactl-crt
            ssl-server-verify required
        backend app
            mode http
            server s1 198.18.0.10:443 ssl verify required ca-file backends.pem crt client.pem sni req.hdr(host) alpn http/1.1 verifyhost api.example.com check check-sni health.example.com
            server s2 198.18.0.11:443 ssl verify none sni str(api.example.com) ca-file /abs/ca.pem

        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect(configuration.global.sslServerVerify == "required")
        let s1 = try #require(configuration.backends.first?.servers.first)
        #expect(s1.caFile == "/etc/ssl/hactl-ca/backends.pem")
        #expect(s1.crt == "/etc/ssl/hactl-crt/client.pem")
        #expect(s1.sni == "req.hdr(host)")
        #expect(s1.alpn == ["http/1.1"])
        #expect(s1.verifyhost == "api.example.com")
        #expect(s1.checkSNI == "health.example.com")
        let s2 = try #require(configuration.backends.first?.servers.last)
        #expect(s2.caFile == "/abs/ca.pem")
        #expect(s2.sni == "str(api.example.com)")
        let printed = ConfigurationPrinter.print(configuration)
        let reparsed = try ConfigurationLoader.parse(text: printed, file: "printed.conf")
        #expect(reparsed.backends.first?.servers == configuration.backends.first?.servers.map {
            var server = $0
            server.location = reparsed.backends.first!.servers.first { $0.name == server.name }!.location
            return server
        })
        #expect(reparsed.global.sslServerVerify == "required")
    }

    @Test func test_sniExpressionsOtherThanHostOrString_areRefused() {
        let text = "backend app\n    server s1 198.18.0.10:443 ssl verify none sni ssl_fc_sni\n"
        #expect {
            try ConfigurationLoader.parse(text: text, file: "t.conf")
        } throws: { "\($0)".contains("expected req.hdr(host) or str(NAME), got 'ssl_fc_sni'") }
    }

    @Test func test_sslServerVerify_acceptsOnlyNoneOrRequired() {
        #expect {
            try ConfigurationLoader.parse(text: "global\n    ssl-server-verify optional\n", file: "t.conf")
        } throws: { "\($0)".contains("expected 'none' or 'required', got 'optional'") }
    }
}
