import HAConfig
import Testing

@Suite struct BindTLSOptionsTests {
    @Test func test_bindTLSOptions_areParsedAndPrintedBack() throws {
        let text = """
        frontend web
            mode http
            bind :443 ssl crt /etc/hactl/certs/ alpn http/1.1 ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.3 ciphers ECDHE-ECDSA-AES128-GCM-SHA256 ciphersuites TLS_AES_128_GCM_SHA256 strict-sni no-tls-tickets
            default_backend app
        backend app
            mode http
            server s 127.0.0.1:80

        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        let bind = try #require(configuration.frontends.first?.binds.first)
        #expect(bind.sslMinVer == "TLSv1.3")
        #expect(bind.sslMaxVer == "TLSv1.3")
        #expect(bind.ciphers == "ECDHE-ECDSA-AES128-GCM-SHA256")
        #expect(bind.ciphersuites == "TLS_AES_128_GCM_SHA256")
        #expect(bind.strictSNI)
        #expect(bind.noTLSTickets)
        let printed = ConfigurationPrinter.print(configuration)
        let reparsed = try ConfigurationLoader.parse(text: printed, file: "printed.conf")
        #expect(reparsed.frontends.first?.binds.first?.strictSNI == true)
        #expect(reparsed.frontends.first?.binds.first?.sslMinVer == "TLSv1.3")
    }

    @Test func test_sslMinVer_refusesSSLv3WithTheReason() {
        let text = "frontend web\n    bind :443 ssl crt /x.pem ssl-min-ver SSLv3\n"
        #expect {
            try ConfigurationLoader.parse(text: text, file: "t.conf")
        } throws: { "\($0)".contains("SSLv3 is not available in OpenSSL 3") }
    }
}
