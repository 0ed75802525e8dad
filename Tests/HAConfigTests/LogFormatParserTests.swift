import HACore
@testable import HAConfig
import Testing

/// HAProxy §8.2.4 log-format strings in `http-request set-header`/`add-header`/`redirect` values:
/// what is read, and what is refused at `hactl check` with the character it is about.
@Suite struct LogFormatParserTests {
    func rules(_ lines: String, section: String = "frontend f\n    mode http\n    bind :80\n    default_backend b") throws -> [HTTPRequestRule] {
        let text = "\(section)\n\(lines)\nbackend b\n    mode http\n    server s 127.0.0.1:80\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf", dialect: nil)
        return configuration.frontends.first?.httpRequestRules ?? []
    }

    func format(_ rule: HTTPRequestRule) -> LogFormat? {
        switch rule.action {
        case .setHeader(_, let value), .addHeader(_, let value), .redirect(_, let value, _, _): value
        default: nil
        }
    }

    /// The segments as text: `lit(x)`, `var(ci)`, `sample(fetch|conv|conv)`.
    func shape(_ format: LogFormat) -> [String] {
        format.segments.map { segment in
            switch segment {
            case .literal(let text): "lit(\(text))"
            case .variable(let variable, _): "var(\(variable.rawValue))"
            case .sample(let expression): "sample(\(([String(describing: expression.fetch)] + expression.converters.map { String(describing: $0) }).joined(separator: "|")))"
            }
        }
    }

    static let accepted: [(text: String, shape: [String])] = [
        ("%[src]", ["sample(source)"]),
        ("%[req.hdr(host),lower]", ["sample(header(name: \"host\", occurrence: -1)|lower)"]),
        ("%[hdr(x-m,2)]", ["sample(header(name: \"x-m\", occurrence: 2))"]),
        ("%[req.fhdr(x-m,-1)]", ["sample(fullHeader(name: \"x-m\", occurrence: -1))"]),
        ("%ci:%cp", ["var(ci)", "lit(:)", "var(cp)"]),
        ("100%%", ["lit(100%)"]),
        ("%%%ci", ["lit(%)", "var(ci)"]),
        ("%[src]]", ["sample(source)", "lit(])"]),
        ("https://%[req.hdr(host)]%[path]", ["lit(https://)", "sample(header(name: \"host\", occurrence: -1))", "sample(path)"]),
        ("%[req.hdr(x-f),field(2,:),upper,base64,hex]", ["sample(header(name: \"x-f\", occurrence: -1)|field(index: 2, separators: \":\")|upper|base64|hex)"]),
        ("%[dst]:%[dst_port]/%[src_port]", ["sample(destination)", "lit(:)", "sample(destinationPort)", "lit(/)", "sample(sourcePort)"]),
        ("%fi%fp%f%ft%H%pid%t%T%Ts", ["var(fi)", "var(fp)", "var(f)", "var(ft)", "var(H)", "var(pid)", "var(t)", "var(T)", "var(Ts)"]),
        ("%r|%HM|%HU|%HP|%HQ|%HV", ["var(r)", "lit(|)", "var(HM)", "lit(|)", "var(HU)", "lit(|)", "var(HP)", "lit(|)", "var(HQ)", "lit(|)", "var(HV)"]),
        ("%[url]%[query]%[method]%[base]%[req.ver]%[fe_name]%[ssl_fc]%[ssl_fc_sni]",
         ["sample(url)", "sample(query)", "sample(method)", "sample(base)", "sample(requestVersion)", "sample(frontendName)", "sample(sslFrontConnection)", "sample(sslServerName)"]),
    ]

    @Test(arguments: accepted)
    func test_setHeaderValue_isReadAsLogFormat(_ item: (text: String, shape: [String])) throws {
        let rule = try #require(try rules("    http-request set-header X-V '\(item.text)'").first)
        let value = try #require(format(rule))
        #expect(value.text == item.text)
        #expect(shape(value) == item.shape)
    }

    @Test func test_valueWithoutPercent_isOneLiteral() throws {
        let rule = try #require(try rules("    http-request add-header X-Via hactl").first)
        #expect(format(rule)?.literalValue == "hactl")
        #expect(format(rule)?.isLiteral == true)
    }

    @Test func test_quotedValue_keepsBlanksAndIsOneArgument() throws {
        let rule = try #require(try rules("    http-request set-header X-V \"a  %[src] b\" if { path_beg /x }").first)
        #expect(shape(try #require(format(rule))) == ["lit(a  )", "sample(source)", "lit( b)"])
        #expect(rule.condition != nil)
    }

    @Test func test_sampleLocation_pointsAtTheFetchInsideQuotes() throws {
        let rule = try #require(try rules("    http-request set-header X-V \"x%[src]\"").first)
        guard case .sample(let expression) = try #require(format(rule)).segments.last else {
            Issue.record("expected a sample")
            return
        }
        // `"` is column 33, `x` 34, `%` 35, `[` 36, `src` 37.
        #expect(expression.location == SourceLocation(file: "t.conf", line: 5, column: 37))
    }

    @Test func test_httpRequestRedirect_valueIsLogFormat() throws {
        let rule = try #require(try rules("    http-request redirect location https://%[req.hdr(host)]%[path] code 301").first)
        #expect(shape(try #require(format(rule))) == ["lit(https://)", "sample(header(name: \"host\", occurrence: -1))", "sample(path)"])
    }

    @Test func test_olderRedirectKeyword_takesPercentEncodingLiterally() throws {
        // HAProxy reads `redirect location` literally: `/a%20b` stays as written.
        let rule = try #require(try rules("    redirect location /a%20b").first)
        #expect(format(rule)?.literalValue == "/a%20b")
    }

    @Test func test_backendName_isKnownInBackendAndListenRules() throws {
        let text = """
        frontend f
            mode http
            bind :80
            default_backend b
        backend b
            mode http
            http-request set-header X-B %b/%[be_name]
            server s 127.0.0.1:80
        listen l
            mode http
            bind 127.0.0.1:8080
            http-request set-header X-B %b
            server s 127.0.0.1:80
        """
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf", dialect: nil)
        #expect(configuration.backends.first?.httpRequestRules.count == 1)
        #expect(configuration.frontends.first { $0.name == "l" }?.httpRequestRules.count == 1)
    }

    @Test func test_parsingOutsideAFile_reportsTheOffset() {
        #expect(throws: LogFormatError.self) { try LogFormat(parsing: "ab%[nope]") }
        do {
            _ = try LogFormat(parsing: "ab%[nope]")
        } catch {
            #expect(error.offset == 4)
        }
    }

    @Test func test_literalFormat_escapesPercentInItsText() {
        #expect(LogFormat(literal: "100%").text == "100%%")
        #expect(LogFormat(literal: "100%") == (try? LogFormat(parsing: "100%%")))
    }

    static let line = "    http-request set-header X-V "
    /// Column of the value's first character on `line`.
    static let valueColumn = line.count + 1

    static let refused: [(name: String, value: String, expected: String)] = [
        ("unknown fetch", "%[foo]",
         "t.conf:5:\(valueColumn + 2): error: 'http-request set-header': unknown sample fetch 'foo' in set-header value"),
        ("misspelt fetch suggests", "%[req.hrd(host)]",
         "t.conf:5:\(valueColumn + 2): error: 'http-request set-header': unknown sample fetch 'req.hrd' in set-header value (did you mean 'req.hdr'?)"),
        ("unknown converter", "%[src,nope]",
         "t.conf:5:\(valueColumn + 6): error: 'http-request set-header': unknown converter 'nope' in set-header value"),
        ("regsub refused", "%[path,regsub(a,b)]",
         "t.conf:5:\(valueColumn + 7): error: 'http-request set-header': converter 'regsub' is not supported by hactl in set-header value (a regular expression per request is not cheap enough for the hactl data path yet)"),
        ("unknown variable", "%zz",
         "t.conf:5:\(valueColumn): error: 'http-request set-header': unknown log-format variable '%zz' in set-header value (write '%%' for a literal percent)"),
        ("response-time variable", "%ST",
         "t.conf:5:\(valueColumn): error: 'http-request set-header': '%ST' is known only after the response, not when the set-header value is built"),
        ("bytes variable", "x%B",
         "t.conf:5:\(valueColumn + 1): error: 'http-request set-header': '%B' is known only after the response, not when the set-header value is built"),
        ("server variable", "%s",
         "t.conf:5:\(valueColumn): error: 'http-request set-header': '%s' is known only once a server is chosen, after http-request rules run: it cannot be used in set-header value"),
        ("request counter", "%rt",
         "t.conf:5:\(valueColumn): error: 'http-request set-header': log-format variable '%rt' is not supported by hactl in set-header value (request counters are per event loop in hactl)"),
        ("backend in frontend", "%b",
         "t.conf:5:\(valueColumn): error: 'http-request set-header': '%b' is not known in a frontend's http-request rules (the backend is chosen after them): use it in the backend's rules"),
        ("be_name in frontend", "%[be_name]",
         "t.conf:5:\(valueColumn + 2): error: 'http-request set-header': 'be_name' is not known in a frontend's http-request rules (the backend is chosen after them): use it in the backend's rules"),
        ("lone percent at the end", "100%",
         "t.conf:5:\(valueColumn + 3): error: 'http-request set-header': the set-header value ends with a lone '%': write '%%' for a literal percent"),
        ("percent before a digit", "/a%20b",
         "t.conf:5:\(valueColumn + 2): error: 'http-request set-header': '%2' is not a log-format variable in set-header value: write '%%' for a literal percent (as in %%20)"),
        ("unterminated expression", "%[src",
         "t.conf:5:\(valueColumn): error: 'http-request set-header': missing ']' after '%[src' in set-header value"),
        ("empty expression", "%[]",
         "t.conf:5:\(valueColumn + 2): error: 'http-request set-header': expected a sample fetch such as src or req.hdr(host) after '%[' in set-header value"),
        ("text after a call", "%[req.hdr(a)b]",
         "t.conf:5:\(valueColumn + 12): error: 'http-request set-header': expected ',' or ']' after 'req.hdr(a)' in set-header value, got 'b'"),
        ("flags other than +Q", "%{+X}ci",
         "t.conf:5:\(valueColumn): error: 'http-request set-header': log-format flags other than '%{+Q}' are not supported by hactl in set-header value"),
        ("header without name", "%[req.hdr]",
         "t.conf:5:\(valueColumn + 2): error: 'http-request set-header': expected a header name in 'req.hdr(NAME[,OCC])' in set-header value"),
        ("occurrence not a number", "%[req.hdr(host,x)]",
         "t.conf:5:\(valueColumn + 15): error: 'http-request set-header': expected an occurrence (a non-zero integer; negative counts from the end) in 'req.hdr', got 'x'"),
        ("fetch with arguments", "%[path(1)]",
         "t.conf:5:\(valueColumn + 7): error: 'http-request set-header': sample fetch 'path' takes no arguments in set-header value"),
        ("field needs two arguments", "%[path,field(1)]",
         "t.conf:5:\(valueColumn + 7): error: 'http-request set-header': 'field' takes two arguments in hactl: field(INDEX,SEPARATORS), as in field(2,:)"),
        ("unsupported fetch", "%[req.hdr_cnt(sid)]",
         "t.conf:5:\(valueColumn + 2): error: 'http-request set-header': sample fetch 'req.hdr_cnt' is not supported by hactl in set-header value (supported: src, src_port, dst, dst_port, req.hdr, hdr, req.fhdr, path, url, query, method, base, req.ver, fe_name, be_name, ssl_fc, ssl_fc_sni, ssl_fc_protocol, ssl_fc_cipher, ssl_fc_alpn, ssl_c_used, ssl_c_verify, ssl_c_s_dn, ssl_c_i_dn, var, status, res.hdr, uuid, req.cook, cook, url_param, urlp)"),
    ]

    @Test(arguments: refused)
    func test_refusedValue_namesTheCharacterAndWhy(_ item: (name: String, value: String, expected: String)) {
        let text = "frontend f\n    mode http\n    bind :80\n    default_backend b\n\(Self.line)\(item.value)\nbackend b\n    mode http\n    server s 127.0.0.1:80\n"
        #expect(errors(of: text).map(\.description) == [item.expected], "\(item.name)")
    }

    @Test func test_cookieAndURLParameterFetches_parse() throws {
        let format = try LogFormat(parsing: "%[req.cook(sid)]-%[cook(x),lower]-%[url_param(u)]-%[urlp(v)]")
        let fetches = format.segments.compactMap { part -> SampleFetch? in
            if case .sample(let expression) = part { return expression.fetch }
            return nil
        }
        #expect(fetches == [.cookie(name: "sid"), .cookie(name: "x"), .urlParameter(name: "u"), .urlParameter(name: "v")])
    }

    @Test func test_blankInsideExpression_isRefusedAtTheBlank() {
        let text = "frontend f\n    mode http\n    bind :80\n    default_backend b\n    http-request set-header X-V \"%[req.hdr(host), lower]\"\nbackend b\n    mode http\n    server s 127.0.0.1:80\n"
        // `"` is column 33, `%` 34, `[` 35; the blank after the comma is column 50.
        #expect(errors(of: text).map(\.description) == [
            "t.conf:5:50: error: 'http-request set-header': a sample expression takes no blanks ('req.hdr(host), lower' in set-header value): write it as in '%[req.hdr(host),lower]'",
        ])
    }

    @Test func test_escapedCharacters_keepTheirSourceColumns() {
        // `a\ b` is three characters from four columns (33-36): `foo` is at column 39, not 38.
        let text = "frontend f\n    mode http\n    bind :80\n    default_backend b\n    http-request set-header X-V a\\ b%[foo]\nbackend b\n    mode http\n    server s 127.0.0.1:80\n"
        #expect(errors(of: text).map(\.description) == [
            "t.conf:5:39: error: 'http-request set-header': unknown sample fetch 'foo' in set-header value",
        ])
    }

    @Test func test_httpRequestRedirect_refusesPercentEncodingWithoutDoubling() {
        let text = "frontend f\n    mode http\n    bind :80\n    default_backend b\n    http-request redirect location /a%20b\nbackend b\n    mode http\n    server s 127.0.0.1:80\n"
        #expect(errors(of: text).map(\.description) == [
            "t.conf:5:38: error: 'http-request redirect': '%2' is not a log-format variable in redirect location: write '%%' for a literal percent (as in %%20)",
        ])
    }

    @Test func test_olderRedirectKeyword_refusesSampleExpressions() {
        let text = "frontend f\n    mode http\n    bind :80\n    default_backend b\n    redirect location https://%[req.hdr(host)]/\nbackend b\n    mode http\n    server s 127.0.0.1:80\n"
        #expect(errors(of: text).map(\.description) == [
            "t.conf:5:31: error: 'redirect': 'redirect location' takes its value literally, as in HAProxy: write 'http-request redirect location ...' to evaluate '%[...]'",
        ])
    }

    @Test func test_printedRule_readsBackTheSameFormat() throws {
        let parsed = try rules("    http-request set-header X-V \"%[req.hdr(host),lower] 100%% %ci\"")
        var configuration = Configuration()
        configuration.frontends = [Frontend(name: "f", mode: .http, binds: [Bind(host: "127.0.0.1", port: 80)], httpRequestRules: parsed)]
        configuration.frontends[0].defaultBackend = "b"
        configuration.backends = [Backend(name: "b", mode: .http)]
        let printed = ConfigurationPrinter.print(configuration)
        let reparsed = try ConfigurationLoader.parse(text: printed, file: "p.conf", dialect: nil)
        #expect(reparsed.frontends.first?.httpRequestRules.map(\.action) == parsed.map(\.action))
    }
}
