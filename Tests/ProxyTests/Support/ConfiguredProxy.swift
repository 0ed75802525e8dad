import Foundation
import HAConfig
import NIOPosix
@testable import Proxy

/// Runs the proxy on a configuration written as hactl.conf text, with one test server as `@S1@`
/// and the proxy's port as `@PORT@`.
enum ConfiguredProxy {
    static let preamble = """
    global
        maxconn 200
    defaults
        mode http
        timeout connect 2s
        timeout client 5s
        timeout server 5s

    """

    static func run(_ sections: String, _ body: (_ port: Int, _ server: TestHTTPServer) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await TestHTTPServer.start(name: "s1", group: group)
        let result: Result<Void, any Error>
        do {
            let port = try IncumbentHAProxy.freePort()
            let text = (preamble + sections).replacingOccurrences(of: "@PORT@", with: "\(port)").replacingOccurrences(of: "@S1@", with: "\(server.port)")
            let configuration = try ConfigurationLoader.parse(text: text, file: "test.cfg", dialect: .haproxy)
            try await ProxyHarness.withProxy(try ProxyPlan(configuration: configuration)) { _, bound in
                try await body(bound, server)
            }
            result = .success(())
        } catch {
            result = .failure(error)
        }
        await server.stop()
        try await group.shutdownGracefully()
        try result.get()
    }

    /// A frontend `f` with `lines`, using backend `b` (`backendLines`) on the test server.
    static func frontend(_ lines: String, backend backendLines: String = "") -> String {
        "frontend f\n    bind 127.0.0.1:@PORT@\n" + lines.split(separator: "\n").map { "    \($0.trimmingCharacters(in: .whitespaces))\n" }.joined()
            + "    default_backend b\nbackend b\n" + backendLines.split(separator: "\n").map { "    \($0.trimmingCharacters(in: .whitespaces))\n" }.joined()
            + "    server s1 127.0.0.1:@S1@\n"
    }

    static func get(_ port: Int, _ target: String, _ fields: String = "") throws -> TestConnection.Response {
        let connection = try TestConnection(port: port)
        try connection.send("GET \(target) HTTP/1.1\r\nHost: a\r\n\(fields)Connection: close\r\n\r\n")
        return try connection.readResponse()
    }
}
