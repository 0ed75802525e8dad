import HACore
@testable import HAConfig
import Testing

/// HAProxy's `log ADDRESS [len N] [format F] [sample R:S] FACILITY [LEVEL [MINLEVEL]]`,
/// `log-send-hostname`, `log-tag` and `option httplog clf`: read as HAProxy reads them, refused
/// at file:line where hactl does not do what HAProxy does.
@Suite struct LogTargetParserTests {
    static func global(_ lines: String) -> String {
        "global\n" + lines.split(separator: "\n").map { "    \($0)\n" }.joined()
    }

    @Test func test_logLine_readsLenFormatFacilityAndBothLevels() throws {
        let configuration = try ConfigurationLoader.parse(text: Self.global("log 127.0.0.1:514 len 200 format rfc5424 local3 info err"), file: "t.conf")
        let target = try #require(configuration.global.logTargets.first)
        #expect(target.erased() == LogTarget(address: "127.0.0.1:514", length: 200, format: "rfc5424", facility: "local3", level: "info", minimumLevel: "err"))
    }

    @Test func test_containerSpelling_stdoutFormatRawDaemon() throws {
        let configuration = try ConfigurationLoader.parse(text: Self.global("log stdout format raw daemon"), file: "t.conf")
        #expect(configuration.global.logTargets.map { $0.erased() } == [LogTarget(address: "stdout", format: "raw", facility: "daemon")])
    }

    @Test(arguments: ["79", "65536", "x"])
    func test_lenOutsideHAProxysRange_isRefusedAtTheValue(_ value: String) {
        #expect(errors(of: Self.global("log /dev/log len \(value) local0")).first?.description
                == "t.conf:2:22: error: 'log': expected a line length from 80 to 65535 after 'len', got '\(value)'")
    }

    @Test func test_sample_isRefusedAsUnsupported() {
        let error = errors(of: Self.global("log /dev/log sample 1:2 local0")).first
        #expect(error?.location.line == 2)
        #expect(error?.message.contains("not support") == true, "\(String(describing: error))")
    }

    @Test func test_logSendHostname_withAndWithoutName_andLogTag() throws {
        let bare = try ConfigurationLoader.parse(text: Self.global("log-send-hostname\nlog-tag edge"), file: "t.conf")
        #expect(bare.global.logSendHostname == .some(nil))
        #expect(bare.global.logTag == "edge")
        let named = try ConfigurationLoader.parse(text: Self.global("log-send-hostname lb1.example"), file: "t.conf")
        #expect(named.global.logSendHostname == .some("lb1.example"))
        #expect(named.global.logTag == nil)
    }

    @Test func test_frontendLogTag_isInheritedFromDefaults_andPrinted() throws {
        let text = "defaults\n    mode http\n    log-tag shop\nfrontend f\n    bind :80\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect(configuration.frontends[0].logTag == "shop")
        let reparsed = try ConfigurationLoader.parse(text: ConfigurationPrinter.print(configuration), file: "printed.conf")
        #expect(reparsed.frontends[0].logTag == "shop")
    }

    /// HAProxy tags a backend's server UP/DOWN lines with it.
    @Test func test_backendLogTag_isReadAndPrinted() throws {
        let configuration = try ConfigurationLoader.parse(text: "backend b\n    mode http\n    log-tag edge\n    server s 127.0.0.1:1\n", file: "t.conf")
        #expect(configuration.backends[0].logTag == "edge")
        let reparsed = try ConfigurationLoader.parse(text: ConfigurationPrinter.print(configuration), file: "printed.conf")
        #expect(reparsed.backends[0].logTag == "edge")
    }

    @Test func test_printedConfiguration_readsBackTheSameLogSettings() throws {
        let text = Self.global("log 127.0.0.1:514 len 300 format short local0 notice\nlog-send-hostname\nlog-tag edge")
            + "defaults\n    mode http\n    option httplog clf\nfrontend f\n    bind :80\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.conf")
        #expect(configuration.frontends[0].httplogCLF)
        let printed = ConfigurationPrinter.print(configuration)
        let reparsed = try ConfigurationLoader.parse(text: printed, file: "printed.conf")
        #expect(reparsed.global.logTargets.map { $0.erased() } == configuration.global.logTargets.map { $0.erased() }, "\(printed)")
        #expect(reparsed.global.logSendHostname == .some(nil) && reparsed.global.logTag == "edge", "\(printed)")
        #expect(reparsed.frontends[0].httplogCLF, "\(printed)")
    }
}
