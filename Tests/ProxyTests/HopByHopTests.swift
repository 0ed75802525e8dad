import Testing
@testable import Proxy

/// The Connection options an intermediary reads (RFC 9110 §7.6.1), read from the bytes.
@Suite struct HopByHopTests {
    @Test func test_connectionOptions_areCaseInsensitive_trimmed_andEmptyElementsSkipped() {
        let fields = HTTPFields([
            HTTPField(name: "Connection", value: " , Keep-Alive ,\tUPGRADE"),
            HTTPField(name: "Upgrade", value: "websocket"),
            HTTPField(name: "connection", value: "Close,"),
        ])
        let options = HopByHop.ConnectionOptions(fields)
        #expect(options.keepAlive && options.upgrade && options.close)
        #expect(options.upgradeProtocol == "websocket")
        #expect(!options.persistent(minorVersion: 1))
    }

    @Test func test_strip_dropsTheFieldsConnectionNames_andKeepsOthers() {
        var fields = HTTPFields([
            HTTPField(name: "Connection", value: "keep-alive, X-Hop , closed"),
            HTTPField(name: "x-hop", value: "1"), HTTPField(name: "Closed", value: "2"),
            HTTPField(name: "X-End", value: "3"), HTTPField(name: "Keep-Alive", value: "timeout=5"),
        ])
        let options = HopByHop.strip(&fields)
        // `closed` is an option of its own, not `close`.
        #expect(options.keepAlive && !options.close)
        #expect(fields.fields.map(\.name) == ["X-End"])
    }
}
