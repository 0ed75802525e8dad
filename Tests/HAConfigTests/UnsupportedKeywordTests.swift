import HACore
@testable import HAConfig
import Testing

/// CONFIG.md "Errors": an HAProxy or keepalived keyword hactl does not implement is an error that
/// says so, wherever it appears, never a silent skip and never "unknown keyword".
@Suite struct UnsupportedKeywordTests {
    private func expectUnsupported(_ text: String, dialect: ConfigurationLoader.Dialect? = nil, keyword: String, origin: String) {
        let messages = errors(of: text, dialect: dialect).map(\.message)
        #expect(messages.contains { $0.contains("is \(origin) keyword hactl does not support") || $0.contains("is \(origin) section hactl does not support") },
                "\(keyword): \(messages)")
    }

    @Test func test_everyUnsupportedGlobalKeyword_saysSo() {
        for keyword in UnsupportedKeywords.haproxyGlobal.keys where !keyword.contains(" ") {
            expectUnsupported("global\n    \(keyword) 2", keyword: keyword, origin: "an HAProxy")
        }
    }

    @Test func test_everyUnsupportedProxyKeyword_saysSo() {
        for keyword in UnsupportedKeywords.haproxyProxy.keys {
            expectUnsupported("backend b\n    \(keyword) x", keyword: keyword, origin: "an HAProxy")
        }
    }

    @Test func test_everyUnsupportedOption_saysSo() {
        for option in UnsupportedKeywords.haproxyOptions.keys {
            expectUnsupported("defaults\n    option \(option)", keyword: option, origin: "an HAProxy")
        }
    }

    @Test func test_everyUnsupportedHTTPRequestAction_saysSo() {
        for action in UnsupportedKeywords.httpRequestActions.keys {
            expectUnsupported("frontend f\n    mode http\n    bind :80\n    http-request \(action) x", keyword: action, origin: "an HAProxy")
        }
    }

    @Test func test_everyUnsupportedServerOption_saysSo() {
        for option in UnsupportedKeywords.serverOptions.keys {
            expectUnsupported("backend b\n    server s 198.18.0.1:80 \(option) x", keyword: option, origin: "an HAProxy")
        }
    }

    @Test func test_everyUnsupportedBindOption_saysSo() {
        for option in UnsupportedKeywords.bindOptions.keys {
            expectUnsupported("frontend f\n    bind :80 \(option) x", keyword: option, origin: "an HAProxy")
        }
    }

    @Test func test_everyUnsupportedHAProxySection_saysSo() {
        for section in UnsupportedKeywords.haproxySections.keys {
            expectUnsupported("\(section) x\n    foo bar", keyword: section, origin: "an HAProxy")
        }
    }

    @Test func test_everyUnsupportedKeepalivedGlobalKeyword_saysSo() {
        for keyword in UnsupportedKeywords.keepalivedGlobal.keys {
            expectUnsupported("global_defs {\n    \(keyword) 1\n}", dialect: .keepalived, keyword: keyword, origin: "a keepalived")
        }
    }

    @Test func test_everyUnsupportedInstanceKeyword_saysSo() {
        for keyword in UnsupportedKeywords.keepalivedInstance.keys {
            expectUnsupported("vrrp_instance VI {\n    interface eth0\n    virtual_router_id 1\n    \(keyword)\n}", dialect: .keepalived, keyword: keyword, origin: "a keepalived")
        }
    }

    @Test func test_everyUnsupportedVirtualServerKeyword_saysSo() {
        for keyword in UnsupportedKeywords.keepalivedVirtualServer.keys {
            expectUnsupported("virtual_server 198.18.0.1 80 {\n    \(keyword) 1\n}", dialect: .keepalived, keyword: keyword, origin: "a keepalived")
        }
    }

    @Test func test_everyUnsupportedKeepalivedSection_saysSo() {
        for section in UnsupportedKeywords.keepalivedSections.keys {
            expectUnsupported("\(section) {\n    x\n}", dialect: .keepalived, keyword: section, origin: "a keepalived")
        }
    }
}
