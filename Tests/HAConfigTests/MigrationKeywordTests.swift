import HACore
@testable import HAConfig
import Testing

/// Issue 13: HAProxy 2.6 keywords a migrating operator meets, with HAProxy's meanings and
/// defaults (its configuration manual), or refused with the reason.
@Suite struct MigrationKeywordTests {
    private func backend(_ lines: String, kind: String = "backend b") throws -> Backend {
        let text = "\(kind)\n    mode http\n" + lines.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n") + "\n    server s 198.18.0.1:80"
        do {
            let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
            return try #require(configuration.backends.first)
        } catch {
            Issue.record("\(error)")
            throw error
        }
    }

    private func messages(_ lines: String) -> [String] {
        let text = "backend b\n    mode http\n" + lines.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n")
        return errors(of: text).map(\.description)
    }

    // MARK: balance uri, random, hash-type, hash-balance-factor, url_param check_post

    @Test func test_balanceURI_readsWholeLenDepthAndPathOnlyInAnyOrder() throws {
        let b = try backend("balance uri depth 3 whole len 20 path-only")
        #expect(b.balance == .uri(URIHashKey(whole: true, length: 20, depth: 3, pathOnly: true)))
        #expect(try backend("balance uri").balance == .uri(URIHashKey()))
    }

    @Test func test_balanceURI_lenAndDepthMustBePositive() {
        #expect(messages("balance uri depth 0") == ["t.conf:3:23: error: 'balance uri': 'depth' expects a positive integer, got '0'"])
        #expect(messages("balance uri len x") == ["t.conf:3:21: error: 'balance uri': 'len' expects a positive integer, got 'x'"])
    }

    @Test func test_balanceRandom_defaultsToTwoDraws_randomNTakesN() throws {
        #expect(try backend("balance random").balance == .random(draws: 2))
        #expect(try backend("balance random(5)").balance == .random(draws: 5))
    }

    @Test func test_balanceRandom_zeroDrawsOrATrailingNumber_areErrors() {
        #expect(messages("balance random(0)").first?.contains("expected 'random(N)' with N draws") == true)
        #expect(messages("balance random 3").first?.contains("the number of draws is written 'random(N)'") == true)
    }

    @Test func test_hashType_readsFunctionAndAvalanche() throws {
        let b = try backend("hash-type consistent djb2 avalanche")
        #expect(b.hashType == .consistent && b.hashFunction == .djb2 && b.hashAvalanche)
        let c = try backend("hash-type map-based crc32")
        #expect(c.hashType == .mapBased && c.hashFunction == .crc32 && !c.hashAvalanche)
        let d = try backend("hash-type consistent")
        #expect(d.hashFunction == nil && !d.hashAvalanche)
    }

    @Test func test_hashType_avalancheWithoutFunction_isAnError_asInHAProxy() {
        #expect(messages("hash-type consistent avalanche").first?.contains("expected a hash function (sdbm, djb2 or crc32), got 'avalanche'") == true)
    }

    @Test func test_hashType_wt6_isRefusedWithTheReason() {
        let text = messages("hash-type consistent wt6").first ?? ""
        #expect(text.contains("is an HAProxy keyword hactl does not support") && text.contains("use sdbm, djb2 or crc32"))
    }

    @Test func test_hashBalanceFactor_isZeroOrAbove100() throws {
        #expect(try backend("hash-balance-factor 150").hashBalanceFactor == 150)
        #expect(try backend("hash-balance-factor 0").hashBalanceFactor == 0)
        #expect(messages("hash-balance-factor 100") == ["t.conf:3:25: error: 'hash-balance-factor': expected 0 or a percentage above 100 (such as 150), got '100'"])
    }

    @Test func test_hashBalanceFactor_isInheritedFromDefaults() throws {
        let configuration = try ConfigurationLoader.parse(text: "defaults\n    hash-balance-factor 125\nbackend b\n    server s 198.18.0.1:80", file: "t.conf")
        #expect(configuration.backends.first?.hashBalanceFactor == 125)
    }

    @Test func test_urlParamCheckPost_isAccepted_withTheFormerMaxWaitIgnored() throws {
        let b = try backend("balance url_param id check_post")
        #expect(b.balance == .urlParam("id"))
        #expect(b.urlParamCheckPost)
        #expect(try backend("balance url_param id check_post 64").urlParamCheckPost)
        #expect(try backend("balance url_param id").urlParamCheckPost == false)
    }

    // MARK: option http-buffer-request, compression

    @Test func test_httpBufferRequest_setInDefaults_reachesFrontendAndBackend() throws {
        let configuration = try ConfigurationLoader.parse(
            text: "defaults\n    mode http\n    option http-buffer-request\nfrontend f\n    bind :80\n    default_backend b\nbackend b\n    server s 198.18.0.1:80\nbackend c\n    no option http-buffer-request\n    server s 198.18.0.1:80",
            file: "t.conf")
        #expect(configuration.frontends.first?.bufferRequest == true)
        #expect(configuration.backends.map(\.bufferRequest) == [true, false])
    }

    @Test func test_compression_algoAndTypeLinesAddUp_offloadSet() throws {
        let b = try backend("compression algo gzip\ncompression algo deflate raw-deflate\ncompression type text/html\ncompression type application/json\ncompression offload")
        #expect(b.compression?.algorithms == [.gzip, .deflate, .rawDeflate])
        #expect(b.compression?.types == ["text/html", "application/json"])
        #expect(b.compression?.offload == true)
    }

    @Test func test_compression_isInheritedFromDefaults_butOffloadThereIsIgnored() throws {
        let configuration = try ConfigurationLoader.parse(
            text: "defaults\n    mode http\n    compression algo gzip\n    compression offload\nbackend b\n    server s 198.18.0.1:80", file: "t.conf")
        #expect(configuration.backends.first?.compression?.algorithms == [.gzip])
        #expect(configuration.backends.first?.compression?.offload == false)
    }

    @Test func test_compression_unknownAlgorithm_isAnErrorWithASuggestion() {
        let text = messages("compression algo gzp").first ?? ""
        #expect(text.contains("unknown algorithm 'gzp'"))
        #expect(text.contains("gzip"))
        #expect(messages("compression brotli").first?.contains("expected 'algo', 'type' or 'offload'") == true)
    }

    // MARK: base*, -m found

    private func acl(_ line: String) throws -> ACL {
        let configuration = try ConfigurationLoader.parse(text: "frontend f\n    mode http\n    bind :80\n    \(line)\n    http-request deny if x", file: "t.conf")
        return try #require(configuration.frontends.first?.acls.first)
    }

    @Test(arguments: [
        ("acl x base www.example.com/a", ACLCriterion.base),
        ("acl x base_beg www.example.com/a", .baseBegins),
        ("acl x base_end /a", .baseEnds),
        ("acl x base_sub example", .baseSubstring),
        ("acl x base_dir a", .baseDirectory),
        ("acl x base_reg ^www", .baseRegex),
        ("acl x base -m beg www.example.com/a", .baseBegins),
        ("acl x hdr(x-debug) -m found", .headerFound("x-debug")),
        ("acl x url_param(debug) -m found", .urlParamFound("debug")),
        ("acl x urlp(debug) -m found", .urlParamFound("debug")),
    ])
    func test_baseFetchesAndFound_areRead(_ line: String, _ criterion: ACLCriterion) throws {
        #expect(try acl(line).criterion == criterion)
    }

    @Test func test_found_withAPattern_isAnError() {
        let text = errors(of: "frontend f\n    mode http\n    bind :80\n    acl x hdr(a) -m found yes").map(\.message)
        #expect(text == ["'hdr(a) -m found' tests presence only and takes no value, got 'yes'"])
    }

    @Test func test_found_onAFetchThatIsAlwaysPresent_isRefusedSayingWhy() {
        let text = errors(of: "frontend f\n    mode http\n    bind :80\n    acl x path -m found").map(\.message)
        #expect(text.first?.contains("'-m found' cannot be combined with 'path'") == true)
    }
}

/// `monitor-uri` / `monitor fail`.
@Suite struct MonitorKeywordTests {
    @Test func test_monitorURI_isInheritedFromDefaults_lastOneWins() throws {
        let configuration = try ConfigurationLoader.parse(text: """
        defaults
            mode http
            monitor-uri /old
        frontend f
            bind :80
            monitor-uri /alive
            acl draining hdr(x-drain) -m found
            monitor fail if draining
            monitor fail unless { src 198.18.0.0/15 }
        frontend g
            bind :81
        """, file: "t.conf")
        #expect(configuration.frontends[0].monitorURI == "/alive" && configuration.frontends[0].monitorFail.count == 2)
        #expect(configuration.frontends[1].monitorURI == "/old" && configuration.frontends[1].monitorFail.isEmpty)
    }

    @Test func test_monitorFail_withoutCondition_orInABackend_isAnError() {
        #expect(errors(of: "frontend f\n    bind :80\n    monitor fail").map(\.message) == ["expected 'if' or 'unless' and a condition"])
        #expect(errors(of: "backend b\n    monitor-uri /x").first?.message.contains("not allowed in a 'backend' section") == true)
        #expect(errors(of: "frontend f\n    bind :80\n    monitor fail if nope").map(\.message) == ["no acl named 'nope' in 'f'"])
    }
}

/// `option abortonclose`, `option http-pretend-keepalive`.
@Suite struct BackendOptionKeywordTests {
    @Test func test_options_areReadInDefaultsAndUndoneWithNo() throws {
        let configuration = try ConfigurationLoader.parse(text: """
        defaults
            mode http
            option abortonclose
            option http-pretend-keepalive
        backend a
            server s 198.18.0.1:80
        backend b
            no option abortonclose
            no option http-pretend-keepalive
            server s 198.18.0.1:80
        """, file: "t.conf")
        #expect(configuration.backends[0].abortOnClose && configuration.backends[0].pretendKeepAlive)
        #expect(!configuration.backends[1].abortOnClose && !configuration.backends[1].pretendKeepAlive)
    }

    @Test func test_pretendKeepAlive_inAFrontend_saysItHasNoEffectThere() {
        #expect(errors(of: "frontend f\n    bind :80\n    option http-pretend-keepalive").first?.message.contains("has no effect in a 'frontend' section") == true)
    }
}

/// `cookie ... attr VALUE`.
@Suite struct CookieAttrKeywordTests {
    @Test func test_attr_isRepeatable_andKeptInOrder() throws {
        let configuration = try ConfigurationLoader.parse(text: "backend b\n    mode http\n    cookie SRV insert attr SameSite=Strict secure attr Partitioned\n    server s 198.18.0.1:80 cookie a", file: "t.conf")
        #expect(configuration.backends.first?.cookie?.attributes == ["SameSite=Strict", "Partitioned"])
    }

    @Test func test_attr_withASemicolon_orWithoutInsert_isAnError() {
        #expect(errors(of: "backend b\n    mode http\n    cookie SRV insert attr \"a;b\"").map(\.message) == ["a cookie attribute may not hold ';' or control characters, got 'a;b'"])
        #expect(errors(of: "backend b\n    mode http\n    cookie SRV prefix attr SameSite=Lax").map(\.message) == ["attr works only with 'insert' (it adds attributes to the cookie hactl inserts)"])
    }
}

/// `capture request|response header NAME len N`.
@Suite struct CaptureKeywordTests {
    @Test func test_captures_areKeptInOrderWithTheirDirection() throws {
        let configuration = try ConfigurationLoader.parse(text: """
        frontend f
            mode http
            bind :80
            capture request header Host len 15
            capture response header Content-Length len 9
            capture request header User-Agent len 20
        """, file: "t.conf")
        #expect(configuration.frontends[0].captures.map { "\($0.direction.rawValue) \($0.name) \($0.length)" }
            == ["request Host 15", "response Content-Length 9", "request User-Agent 20"])
    }

    @Test func test_capture_inDefaults_missingLen_orCookie_areErrors() {
        #expect(errors(of: "defaults\n    capture request header Host len 5").first?.message.contains("not allowed in a 'defaults' section") == true)
        #expect(errors(of: "frontend f\n    bind :80\n    capture request header Host").map(\.message) == ["expected 'len' and a length"])
        #expect(errors(of: "frontend f\n    bind :80\n    capture cookie SID len 32").first?.message.contains("`capture cookie` is an HAProxy keyword hactl does not support") == true)
    }
}
