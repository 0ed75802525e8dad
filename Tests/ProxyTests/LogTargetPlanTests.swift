import HAConfig
import Testing
@testable import Proxy

/// A `log` line of the configuration resolved for the data path: HAProxy's defaults (format
/// `local`, `len` 1024, every level), `log-send-hostname` switching the default to `rfc3164`.
@Suite struct LogTargetPlanTests {
    static func targets(_ globalLines: String) throws -> [Proxy.LogTarget] {
        let text = "global\n" + globalLines.split(separator: "\n").map { "    \($0)\n" }.joined()
            + "frontend f\n    mode http\n    bind 127.0.0.1:80\n    log global\n    default_backend b\nbackend b\n    mode http\n    server s 127.0.0.1:1\n"
        let configuration = try ConfigurationLoader.parse(text: text, file: "t.cfg", dialect: .haproxy)
        return try #require(try ProxyPlan(configuration: configuration).frontends.first?.logTargets)
    }

    @Test func test_defaults_areLocalFormat_len1024_everyLevel_tagHactl() throws {
        let target = try #require(try Self.targets("log 127.0.0.1:5514 local0").first)
        #expect(target == LogTarget(destination: .udp(host: "127.0.0.1", port: 5514), facility: 16))
        #expect(target.format == .local && target.maxLength == 1024 && target.maxSeverity == .debug && target.minSeverity == nil && target.tag == "hactl")
    }

    @Test func test_logSendHostname_makesRFC3164TheDefault_butAnExplicitFormatStays() throws {
        let targets = try Self.targets("log-send-hostname lb1\nlog /dev/log local1\nlog /dev/log format local local2")
        #expect(targets.map(\.format) == [.rfc3164, .local])
        #expect(targets.allSatisfy { $0.hostname == "lb1" })
    }

    @Test func test_lenLevelsAndTag_reachTheTarget() throws {
        let target = try #require(try Self.targets("log-tag edge\nlog stderr len 300 format short daemon notice err").first)
        #expect(target == LogTarget(destination: .stderr, facility: 3, format: .short, maxLength: 300, maxSeverity: .notice, minSeverity: .err, tag: "edge"))
    }

    @Test func test_fd1AndFd2_areStdoutAndStderr_otherDescriptorsAndRingsAreRefused() throws {
        #expect(try Self.targets("log fd@1 format raw daemon\nlog fd@2 daemon").map(\.destination) == [.stdout, .stderr])
        #expect(throws: ProxyError.self) { try Self.targets("log fd@3 daemon") }
        #expect(throws: ProxyError.self) { try Self.targets("log ring@buf daemon") }
    }
}
