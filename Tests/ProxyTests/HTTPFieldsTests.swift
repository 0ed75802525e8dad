import Testing
@testable import Proxy

/// Field names are classified once; lookups must stay ASCII case-insensitive (RFC 9110 §5.1).
@Suite struct HTTPFieldsTests {
    static let known: [(String, KnownFieldName)] = [
        ("Connection", .connection), ("KEEP-ALIVE", .keepAlive), ("proxy-connection", .proxyConnection),
        ("Te", .te), ("Trailer", .trailer), ("upgrade", .upgrade), ("Transfer-Encoding", .transferEncoding),
        ("content-LENGTH", .contentLength), ("HOST", .host), ("Cookie", .cookie), ("Set-Cookie", .setCookie),
        ("Cache-Control", .cacheControl), ("PRAGMA", .pragma),
    ]

    @Test(arguments: known) func test_knownName_isClassifiedInAnyCase(name: String, expected: KnownFieldName) {
        #expect(KnownFieldName(name) == expected)
        #expect(HTTPField(name: name, value: "v").known == expected)
        #expect(Array(name.utf8).withUnsafeBytes { KnownFieldName(bytes: $0) } == expected)
    }

    @Test(arguments: ["Content-Lengths", "Hosts", "Set-Cookie2", "Keep-Alivx", "Upgrades", "Tx", "X-Trailer", "Kookie", "Content-Range", "Pragmas", "Cache-Contrl", "Bookie", ""])
    func test_nearMiss_isOther(name: String) {
        #expect(KnownFieldName(name) == .other)
        #expect(Array(name.utf8).withUnsafeBytes { KnownFieldName(bytes: $0) } == .other)
    }

    @Test func test_lookups_ignoreCase_forKnownAndOtherNames() {
        var fields = HTTPFields([
            HTTPField(name: "content-length", value: "5"), HTTPField(name: "X-Custom", value: "a"),
            HTTPField(name: "x-custom", value: "b"), HTTPField(name: "Host", value: "h"),
        ])
        #expect(fields.first("Content-Length") == "5")
        #expect(fields.values("X-CUSTOM") == ["a", "b"])
        #expect(fields.occurrences("HOST") == 1)
        // An unknown name that shares a known name's length is still compared in full.
        #expect(fields.first("Cookie") == nil)
        fields.remove("X-custom")
        #expect(fields.count == 2)
    }

    @Test func test_renamingAField_reclassifiesIt() {
        var field = HTTPField(name: "X-Length", value: "5")
        field.name = "Content-Length"
        #expect(field.known == .contentLength)
        #expect(HTTPFields([field]).first("content-length") == "5")
    }

    @Test func test_tokenBytes_areExactlyRFC9110Tchar() {
        let tchar = Set("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(HTTPHeadParser.isTokenByte(byte) == tchar.contains(byte), "byte \(byte)")
        }
    }

    @Test func test_listElements_areSplitOnCommasAndTrimmedOfOWS_acrossLines() {
        let fields = HTTPFields([
            HTTPField(name: "Connection", value: " keep-alive ,, X-A\t"), HTTPField(name: "connection", value: "close"),
            HTTPField(name: "Connection", value: ""), HTTPField(name: "Via", value: "a"),
        ])
        #expect(fields.listElements("connection") == ["keep-alive", "X-A", "close"])
        // Latin-1 bytes (one scalar each) stay whole around the commas.
        let latin = HTTPFields([HTTPField(name: "X", value: "\u{E9}t\u{E9}, \u{FF}")])
        #expect(latin.listElements("x") == ["\u{E9}t\u{E9}", "\u{FF}"])
    }
}
