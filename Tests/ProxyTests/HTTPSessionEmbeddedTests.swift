import HACore
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import Proxy

/// `HTTPSession`, the client side of the proxy, on an `EmbeddedChannel` with a virtual clock
/// (ARCHITECTURE.md, tests layer 2): bytes in, bytes out, time advanced by hand. Every case here
/// is answered by the proxy itself; none may dial the backend.
@Suite struct HTTPSessionEmbeddedTests {
    /// One frontend with `timeout http-request 5s` and `tune.bufsize` 1024 before one backend.
    struct Bench {
        let loop = EmbeddedEventLoop()
        let context: LoopContext
        let channel: EmbeddedChannel

        init() throws {
            var timeouts = TimeoutPlan()
            timeouts.client = .seconds(30)
            timeouts.httpRequest = .seconds(5)
            let backend = BackendPlan(name: "app", servers: [ServerPlan(name: "websvr1", host: "198.18.0.21", port: 80)])
            let frontend = FrontendPlan(name: "web", binds: [BindPlan(host: "198.18.0.10", port: 80)], timeouts: timeouts, defaultBackend: 0)
            let plan = ProxyPlan(threads: 1, bufsize: 1024, frontends: [frontend], backends: [backend])
            let server = try SocketAddress(ipAddress: "198.18.0.21", port: 80)
            let runtime = ProxyRuntime(
                plan: plan, backends: [BackendState(index: 0, plan: backend, addresses: [(server, server)])], loops: [loop],
                bus: EventBus(), logger: Logger(label: "embedded"), logSink: LogSink(targets: []),
                limits: ConnectionLimits(requested: 100, descriptorLimit: 1024))
            context = LoopContext(index: 0, eventLoop: loop, runtime: runtime)
            channel = EmbeddedChannel(handler: HTTPSession(loop: context, frontendIndex: 0), loop: loop)
            try channel.connect(to: SocketAddress(ipAddress: "198.18.0.50", port: 40000)).wait()
        }

        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }

        /// Everything the session wrote to the client so far.
        func written() throws -> String {
            var text = ""
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                text += buffer.readString(length: buffer.readableBytes) ?? ""
            }
            return text
        }

        /// Connections the session opened or reused towards the backend.
        var dialled: Int { context.counters.servers[0][0].totalSessions }
    }

    @Test func test_requestHeadIncompleteAtTimeoutHttpRequest_answers408AndCloses() throws {
        let bench = try Bench()
        try bench.send("GET / HTTP/1.1\r\nHo")
        bench.loop.advanceTime(by: .milliseconds(4999))
        #expect(try bench.written().isEmpty)
        #expect(bench.channel.isActive)
        bench.loop.advanceTime(by: .milliseconds(1))
        #expect(try bench.written().hasPrefix("HTTP/1.1 408 Request Time-out\r\n"))
        #expect(!bench.channel.isActive)
        #expect(bench.dialled == 0)
    }

    @Test func test_bytesTricklingIn_doNotExtendTimeoutHttpRequest() throws {
        let bench = try Bench()
        // Slowloris: one byte a second keeps the connection busy but the head never completes.
        for byte in "GET / HTTP/1.1\r\n".utf8.prefix(4) {
            try bench.send(String(UnicodeScalar(byte)))
            bench.loop.advanceTime(by: .seconds(1))
        }
        bench.loop.advanceTime(by: .seconds(1))
        #expect(try bench.written().hasPrefix("HTTP/1.1 408 "))
        #expect(!bench.channel.isActive)
    }

    @Test func test_smugglingAttempt_answers400AndDialsNothing() throws {
        let bench = try Bench()
        try bench.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(try bench.written().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(!bench.channel.isActive)
        #expect(bench.dialled == 0)
        #expect(bench.context.counters.frontends[0].requestErrors == 1)
    }

    @Test func test_headLargerThanBufsize_answers431AndDialsNothing() throws {
        let bench = try Bench()
        try bench.send("GET / HTTP/1.1\r\nHost: a\r\nX-Filler: " + String(repeating: "x", count: 1100))
        #expect(try bench.written().hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"))
        #expect(!bench.channel.isActive)
        #expect(bench.dialled == 0)
    }
}
