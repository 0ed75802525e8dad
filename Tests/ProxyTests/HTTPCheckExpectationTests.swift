import NIOCore
import Testing
@testable import Proxy

/// `http-check expect [!] status|rstatus|string|rstring`, judged on a server's response bytes.
@Suite struct HTTPCheckExpectationTests {
    static let ok = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nstatus=up"
    static let unavailable = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 11\r\n\r\nstatus=down"

    func judge(_ response: String, _ expect: HTTPCheckExpectation) -> Bool {
        if case .passed = ServerChecker.evaluate(ByteBuffer(string: response), expect) { return true }
        return false
    }

    @Test func test_rstatus_matchesTheStatusCodeAgainstTheRegex() throws {
        let twoHundreds = HTTPCheckExpectation.statusPattern(try RegexBox(pattern: "^2[0-9][0-9]$", ignoreCase: false))
        #expect(judge(Self.ok, twoHundreds))
        #expect(!judge(Self.unavailable, twoHundreds))
    }

    @Test func test_rstring_matchesTheBodyAgainstTheRegex_andNotInvertsIt() throws {
        let up = HTTPCheckExpectation.bodyPattern(try RegexBox(pattern: "status=(up|ok)", ignoreCase: false))
        #expect(judge(Self.ok, up))
        #expect(!judge(Self.unavailable, up))
        #expect(judge(Self.unavailable, .not(up)))
    }

    @Test func test_failedRegexChecks_nameTheirLayer7Reason() throws {
        let twoHundreds = HTTPCheckExpectation.statusPattern(try RegexBox(pattern: "^2", ignoreCase: false))
        #expect(ServerChecker.evaluate(ByteBuffer(string: Self.unavailable), twoHundreds) == .failed("Layer7 wrong status 503"))
        let up = HTTPCheckExpectation.bodyPattern(try RegexBox(pattern: "up", ignoreCase: false))
        #expect(ServerChecker.evaluate(ByteBuffer(string: Self.unavailable), up) == .failed("Layer7 response content error"))
    }

    @Test func test_invalidRegex_isRefusedWhenThePlanIsBuilt() {
        #expect(throws: ProxyError.self) { try RegexBox(pattern: "(unclosed", ignoreCase: false) }
    }
}
