import HACore
@testable import HAConfig
import Testing

/// HAProxy configuration manual §2.2 (quoting and escaping) and §2.3 (environment variables).
@Suite struct LexerTests {
    private func words(_ line: String, environment: [String: String] = [:]) -> [String] {
        let (words, errors) = LineLexer(file: "t", environment: environment).words(of: Substring(line), line: 1)
        #expect(errors.isEmpty, "unexpected errors: \(errors)")
        return words.map(\.text)
    }

    private func lexErrors(_ line: String, environment: [String: String] = [:]) -> [ConfigError] {
        LineLexer(file: "t", environment: environment).words(of: Substring(line), line: 1).1
    }

    @Test func test_blanks_separateWords() {
        #expect(words("  server  web1\t198.18.0.1:80   check ") == ["server", "web1", "198.18.0.1:80", "check"])
    }

    @Test func test_words_recordTheirColumns() {
        let (lexed, _) = LineLexer(file: "t", environment: [:]).words(of: "  bind  :80", line: 7)
        #expect(lexed.map(\.column) == [3, 9])
        #expect(lexed.allSatisfy { $0.line == 7 })
    }

    @Test func test_charactersMovedByQuotesAndEscapes_keepTheirSourceColumns() {
        // Columns: `"` 3, `a` 4, ` ` 5, `b` 6, `"` 7, `\` 8, ` ` 9, `c` 10, `"` 11, `$` 12: the escaped blank
        // comes from its backslash, and V's text from the `$`.
        let (lexed, _) = LineLexer(file: "t", environment: ["V": "yz"]).words(of: #"x "a b"\ c"$V""#, line: 1)
        #expect(lexed.map(\.text) == ["x", "a b c" + "yz"])
        #expect(lexed[0].columns == nil)
        #expect((0..<7).map { lexed[1].column(atOffset: $0) } == [4, 5, 6, 8, 10, 12, 12])
    }

    @Test func test_hash_startsAComment() {
        #expect(words("maxconn 10 # the limit") == ["maxconn", "10"])
        #expect(words("maxconn 10#no blank needed") == ["maxconn", "10"])
        #expect(words("# only a comment").isEmpty)
    }

    @Test func test_backslashSpace_keepsTheSpaceInTheWord() {
        #expect(words(#"option httpchk HEAD / HTTP/1.1\r\nHost:\ localhost"#) == ["option", "httpchk", "HEAD", "/", "HTTP/1.1\r\nHost: localhost"])
    }

    @Test func test_backslashHash_isALiteralHash() {
        #expect(words(##"acl a path_beg /a\#b"##) == ["acl", "a", "path_beg", "/a#b"])
    }

    @Test func test_backslashEscapes_writeBackslashQuotesAndControlCharacters() {
        #expect(words(#"x a\\b \'c\' \"d\" e\tf g\nh \$i"#) == ["x", #"a\b"#, "'c'", "\"d\"", "e\tf", "g\nh", "$i"])
    }

    @Test func test_backslashX_writesAHexByte() {
        #expect(words(#"x \x41\x20B"#) == ["x", "A B"])
    }

    @Test func test_unknownEscape_keepsTheBackslashForRegularExpressions() {
        #expect(words(#"acl a path_reg ^/api\.v1$"#) == ["acl", "a", "path_reg", #"^/api\.v1$"#])
    }

    @Test func test_doubleQuotes_protectBlanksHashAndSingleQuotes() {
        #expect(words(#"x "a b # c 'd'""#) == ["x", "a b # c 'd'"])
    }

    @Test func test_doubleQuotes_processEscapes() {
        #expect(words(#"x "a\"b\\c\$d""#) == ["x", #"a"b\c$d"#])
    }

    @Test func test_singleQuotes_protectEverything() {
        #expect(words(#"x 'a "b" \n $HOME # c'"#) == ["x", #"a "b" \n $HOME # c"#])
    }

    @Test func test_adjacentQuotedParts_joinIntoOneWord() {
        #expect(words(#"x "a b"' c'\ d"#) == ["x", "a b c d"])
    }

    @Test func test_emptyQuotes_makeAnEmptyWord() {
        #expect(words(#"x "" y"#) == ["x", "", "y"])
    }

    @Test func test_environmentVariable_expandsInsideDoubleQuotes() {
        let environment = ["VIP": "198.18.0.1", "PORT": "80"]
        #expect(words(#"bind "${VIP}:$PORT""#, environment: environment) == ["bind", "198.18.0.1:80"])
    }

    @Test func test_environmentVariableDefault_appliesWhenUnset() {
        #expect(words(#"log "${SYSLOG-127.0.0.1}:514" local0"#) == ["log", "127.0.0.1:514", "local0"])
        #expect(words(#"log "${SYSLOG-127.0.0.1}" local0"#, environment: ["SYSLOG": "198.18.0.9"]) == ["log", "198.18.0.9", "local0"])
    }

    @Test func test_environmentVariableStar_expandsToSeveralWords() {
        #expect(words(#"x "${LIST[*]}" y"#, environment: ["LIST": "a b  c"]) == ["x", "a", "b", "c", "y"])
    }

    @Test func test_environmentVariable_staysLiteralInsideSingleQuotes() {
        #expect(words(#"x '${VIP}'"#) == ["x", "${VIP}"])
    }

    @Test func test_unsetEnvironmentVariable_isAnErrorNamingIt() {
        let errors = lexErrors(#"bind "${NOPE}:80""#)
        #expect(errors.map(\.message) == [#"environment variable 'NOPE' is not set; give a default with "${NOPE-value}" or set it"#])
        #expect(errors.first?.location.column == 7)
    }

    @Test func test_unquotedEnvironmentVariable_isAnErrorExplainingTheQuotes() {
        let errors = lexErrors("bind ${VIP}:80")
        #expect(errors.map(\.message) == [#"environment variables are expanded only inside double quotes: write "${...}""#])
    }

    @Test func test_unterminatedQuote_isAnErrorAtTheOpeningQuote() {
        let errors = lexErrors(#"x "abc"#)
        #expect(errors.map(\.message) == [#"unterminated quote: expected a closing " before the end of the line"#])
        #expect(errors.first?.location.column == 3)
    }

    @Test func test_trailingBackslash_isAnError() {
        #expect(lexErrors(#"x abc\"#).map(\.message) == ["a line cannot end with a backslash: hactl, like HAProxy, has no line continuation"])
    }

    @Test func test_crlfLineEndings_areAccepted() {
        let (statements, errors) = LineLexer(file: "t", environment: [:]).statements(of: "global\r\n    maxconn 10\r\n")
        #expect(errors.isEmpty)
        #expect(statements.map { $0.words.map(\.text) } == [["global"], ["maxconn", "10"]])
    }

    // MARK: keepalived

    @Test func test_keepalivedBlocks_nestAndMayShareALine() {
        let text = """
        vrrp_sync_group G { group { VI_1 VI_2 } }
        vrrp_instance VI_1 {   ! a comment
            virtual_ipaddress {
                198.18.0.1/24 dev eth0   # another
            }
        }
        """
        let (statements, errors) = KeepalivedLexer(file: "k").statements(of: text)
        #expect(errors.isEmpty)
        #expect(statements.count == 2)
        #expect(statements[0].block?.first?.keyword.text == "group")
        #expect(statements[0].block?.first?.block?.first?.words.map(\.text) == ["VI_1", "VI_2"])
        #expect(statements[1].block?.first?.block?.first?.words.map(\.text) == ["198.18.0.1/24", "dev", "eth0"])
    }

    @Test func test_keepalivedQuotes_groupWords() {
        let (statements, _) = KeepalivedLexer(file: "k").statements(of: "vrrp_script s {\n script \"killall -0 haproxy\"\n}")
        #expect(statements[0].block?[0].words.map(\.text) == ["script", "killall -0 haproxy"])
    }

    @Test func test_keepalivedOpeningBraceOnItsOwnLine_attachesToThePreviousLine() {
        let (statements, errors) = KeepalivedLexer(file: "k").statements(of: "global_defs\n{\n router_id A\n}")
        #expect(errors.isEmpty)
        #expect(statements.first?.block?.first?.words.map(\.text) == ["router_id", "A"])
    }

    @Test func test_keepalivedUnclosedBlock_isAnErrorAtItsKeyword() {
        let (_, errors) = KeepalivedLexer(file: "k").statements(of: "vrrp_instance VI {\n  state MASTER\n")
        #expect(errors.map(\.description) == ["k:1:1: error: 'vrrp_instance': the block opened here is never closed: expected '}'"])
    }

    @Test func test_keepalivedStrayClosingBrace_isAnError() {
        let (_, errors) = KeepalivedLexer(file: "k").statements(of: "global_defs {\n}\n}")
        #expect(errors.map(\.description) == ["k:3:1: error: '}': this '}' closes no block"])
    }
}

/// HAProxy configuration manual §2.5 (time format) and keepalived's seconds.
@Suite struct ValueTests {
    @Test(arguments: [
        ("100us", Duration.microseconds(100)), ("250ms", .milliseconds(250)), ("5s", .seconds(5)), ("2m", .seconds(120)),
        ("1h", .seconds(3600)), ("1d", .seconds(86400)), ("1500", .milliseconds(1500)), ("0", .zero),
    ])
    func test_haproxyTime_readsUnitsAndBareMilliseconds(text: String, expected: Duration) {
        #expect(TimeValue.parse(text, bare: .milliseconds) == expected)
    }

    @Test(arguments: [("1", Duration.seconds(1)), ("0.5", .milliseconds(500)), ("2.25", .milliseconds(2250)), ("300ms", .milliseconds(300))])
    func test_keepalivedTime_readsBareSecondsWithDecimals(text: String, expected: Duration) {
        #expect(TimeValue.parse(text, bare: .seconds) == expected)
    }

    @Test(arguments: ["", "s", "-1s", "5x", "1.2.3", "abc", "5 s", "99999999999999999999"])
    func test_time_rejectsMalformedText(text: String) {
        #expect(TimeValue.parse(text, bare: .milliseconds) == nil)
    }

    @Test func test_timeFormat_picksTheLargestExactUnit() {
        #expect(TimeValue.format(.seconds(60)) == "1m")
        #expect(TimeValue.format(.milliseconds(1500)) == "1500ms")
        #expect(TimeValue.format(.seconds(7200)) == "2h")
        #expect(TimeValue.formatSeconds(.milliseconds(2250)) == "2.25")
        #expect(TimeValue.formatSeconds(.seconds(3)) == "3")
    }

    @Test(arguments: [("16384", 16384), ("16k", 16384), ("1m", 1_048_576), ("2g", 2_147_483_648), ("1K", 1024)])
    func test_size_readsKMGSuffixes(text: String, expected: Int) {
        #expect(SizeValue.parse(text) == expected)
    }

    @Test func test_ipAddresses_areRecognisedByFamily() {
        #expect(IPAddressFamily.of("198.18.0.1") == .ipv4)
        #expect(IPAddressFamily.of("2001:db8::1") == .ipv6)
        #expect(IPAddressFamily.of("::") == .ipv6)
        #expect(IPAddressFamily.of("::ffff:198.18.0.1") == .ipv6)
        #expect(IPAddressFamily.of("fe80::1%eth0") == .ipv6)
        for bad in ["198.18.0.256", "198.18.0", "1.2.3.4.5", "2001:db8:::1", "12345::1", "host1", "1::2::3", ""] {
            #expect(IPAddressFamily.of(bad) == nil, "\(bad)")
        }
    }

    @Test func test_hostPort_splitsEveryHAProxyForm() {
        #expect(HostPort.split("198.18.0.1:80") == HostPort(host: "198.18.0.1", portText: "80"))
        #expect(HostPort.split(":80") == HostPort(host: "", portText: "80"))
        #expect(HostPort.split("*:443") == HostPort(host: "*", portText: "443"))
        #expect(HostPort.split("[2001:db8::1]:8080") == HostPort(host: "2001:db8::1", portText: "8080"))
        #expect(HostPort.split(":::80") == HostPort(host: "::", portText: "80"))
        #expect(HostPort.split("host1") == HostPort(host: "host1", portText: nil))
    }

    @Test func test_suggestion_findsTheNearestKeywordWithinTypoDistance() {
        #expect(KeywordSuggestion.nearest(to: "balanse", in: ["balance", "bind"]) == "balance")
        #expect(KeywordSuggestion.nearest(to: "virtual_router_di", in: ["virtual_router_id", "priority"]) == "virtual_router_id")
        #expect(KeywordSuggestion.nearest(to: "zzz", in: ["balance", "bind"]) == nil)
    }
}
