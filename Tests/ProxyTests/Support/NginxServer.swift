import Foundation
import NIOCore
import NIOPosix
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Debian's nginx answering "This is HTTP server NAME", started in its own directory and
/// stopped by pid.
final class NginxServer: @unchecked Sendable {
    let name: String
    let port: Int
    let directory: String
    private var process: ChildProcess?

    /// - Parameter tlsBundle: a PEM bundle (certificate and key): nginx then speaks TLS only and
    ///   answers with what it saw: `sni=NAME conn=N requests=N` (N-th request on connection N).
    init(name: String, port: Int, tlsBundle: String? = nil) throws {
        self.name = name
        self.port = port
        directory = NSTemporaryDirectory() + "hp-nginx-\(name)-\(getpid())-\(port)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let conf = """
            worker_processes 1;
            daemon off;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(directory);
                proxy_temp_path \(directory);
                fastcgi_temp_path \(directory);
                uwsgi_temp_path \(directory);
                scgi_temp_path \(directory);
                server {
                    \(tlsBundle.map { "listen 127.0.0.1:\(port) ssl; ssl_certificate \($0); ssl_certificate_key \($0);" } ?? "listen 127.0.0.1:\(port);")
                    location / {
                        default_type text/plain;
                        \(tlsBundle == nil ? "return 200 \"This is HTTP server \(name)\\n\";"
                                           : "return 200 \"This is HTTPS server \(name) sni=$ssl_server_name conn=$connection requests=$connection_requests\\n\";")
                    }
                }
            }
            """
        try conf.write(toFile: "\(directory)/nginx.conf", atomically: true, encoding: .utf8)
    }

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }

    /// A port the kernel says is free right now.
    static func freePort(group: MultiThreadedEventLoopGroup) async throws -> Int {
        let probe = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress?.port ?? 0
        try await probe.close()
        return port
    }

    /// Starts nginx and waits (bounded) until it accepts connections.
    func start() throws {
        process = try ChildProcess(
            "/usr/sbin/nginx", ["-c", "\(directory)/nginx.conf", "-e", "\(directory)/error.log"], standardOutput: .null, standardError: .null)
        for _ in 0..<200 {
            if (try? TestConnection(port: port)) != nil { return }
            usleep(10_000)
        }
        throw TestConnection.Failure(description: "nginx \(name) did not start on \(port)")
    }

    /// Stops nginx by its pid (SIGQUIT: graceful, as `nginx -s quit`) and waits for it.
    func stop() {
        guard let process, process.isRunning else { return }
        process.kill(SIGQUIT)
        if process.wait(timeout: .seconds(5)) == nil { process.kill(SIGKILL) }
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
