import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 origin server on 127.0.0.1 for loopback tests: answers
/// "This is HTTP server NAME" and records what reached it.
final class TestHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var bodyBytes: Int
        var connection: Int

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    let name: String
    let group: MultiThreadedEventLoopGroup
    private let state = Mutex<State>(State())
    let connectionsAccepted = Atomic<Int>(0)
    let bytesReceived = Atomic<Int>(0)
    /// Requests being answered right now, and the most seen at once.
    let inFlight = Atomic<Int>(0)
    let maxInFlight = Atomic<Int>(0)
    /// Responses whose last byte the kernel accepted (a proxy that buffered everything would
    /// let these complete even while its client reads nothing).
    let responsesWritten = Atomic<Int>(0)

    struct State {
        var port = 0
        var listener: (any Channel)?
        var children: [any Channel] = []
        var requests: [Request] = []
    }

    init(name: String, group: MultiThreadedEventLoopGroup) {
        self.name = name
        self.group = group
    }

    var port: Int { state.withLock { $0.port } }
    var requests: [Request] { state.withLock { $0.requests } }

    /// Requests other than health checks.
    var trafficRequests: [Request] { requests.filter { $0.method != "OPTIONS" && !$0.uri.hasPrefix("/health") } }

    /// `size` bytes of compressible text, the same every time (the body of /set and /chunked).
    static func text(_ size: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + 64)
        var line = 0
        while bytes.count < size {
            bytes += Array("<p>line \(line) of a page that compresses well</p>\n".utf8)
            line += 1
        }
        return Array(bytes.prefix(size))
    }

    /// `size` pseudo-random bytes, the same every time (the body of /random): deflate cannot shrink them.
    static func randomBytes(_ size: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        bytes.withUnsafeMutableBytes { raw in
            var i = 0
            while i < size {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                var word = state ^ (state >> 29)
                let n = min(8, size - i)
                withUnsafeBytes(of: &word) { raw.baseAddress!.advanced(by: i).copyMemory(from: $0.baseAddress!, byteCount: n) }
                i += n
            }
        }
        return bytes
    }

    static func start(name: String, group: MultiThreadedEventLoopGroup, port: Int = 0) async throws -> TestHTTPServer {
        let server = TestHTTPServer(name: name, group: group)
        try await server.bind(port: port)
        return server
    }

    func bind(port: Int) async throws {
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = self.connectionsAccepted.wrappingAdd(1, ordering: .relaxed).newValue
                    self.state.withLock { $0.children.append(channel) }
                    try channel.pipeline.syncOperations.addHandler(ByteCounter(server: self))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(OriginHandler(server: self, connection: id))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        state.withLock {
            $0.listener = listener
            $0.port = listener.localAddress?.port ?? 0
        }
    }

    /// Stops listening and drops every open connection (an `httpd stop`).
    func stop() async {
        let (listener, children) = state.withLock { state -> ((any Channel)?, [any Channel]) in
            defer {
                state.listener = nil
                state.children = []
            }
            return (state.listener, state.children)
        }
        try? await listener?.close()
        for child in children { try? await child.close() }
    }

    /// Listens again on the same port.
    func restart() async throws {
        try await bind(port: port)
    }

    fileprivate func record(_ request: Request) {
        state.withLock { $0.requests.append(request) }
    }
}

private final class ByteCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let server: TestHTTPServer
    init(server: TestHTTPServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        server.bytesReceived.add(unwrapInboundIn(data).readableBytes, ordering: .relaxed)
        context.fireChannelRead(data)
    }
}

private final class OriginHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: TestHTTPServer
    let connection: Int
    private var head: HTTPRequestHead?
    private var bodyBytes = 0

    init(server: TestHTTPServer, connection: Int) {
        self.server = server
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            bodyBytes = 0
        case .body(let body):
            bodyBytes += body.readableBytes
        case .end:
            guard let head else { return }
            server.record(TestHTTPServer.Request(method: head.method.rawValue, uri: head.uri,
                                                 headers: head.headers.map { ($0.name, $0.value) },
                                                 bodyBytes: bodyBytes, connection: connection))
            if head.uri.hasPrefix("/slow") {
                // /slow?ms=N answers after N milliseconds.
                let now = server.inFlight.wrappingAdd(1, ordering: .relaxed).newValue
                var seen = server.maxInFlight.load(ordering: .relaxed)
                while now > seen {
                    let (exchanged, original) = server.maxInFlight.compareExchange(expected: seen, desired: now, ordering: .relaxed)
                    if exchanged { break }
                    seen = original
                }
                let ms = Int64(head.uri.split(separator: "=").last ?? "0") ?? 0
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(ms)) { [self] in
                    server.inFlight.subtract(1, ordering: .relaxed)
                    respond(context: context, head: head)
                }
                return
            }
            respond(context: context, head: head)
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        var status = HTTPResponseStatus.ok
        var text = "This is HTTP server \(server.name)\n"
        var headers = HTTPHeaders()
        var body: ByteBuffer?
        if head.uri.hasPrefix("/big") {
            // Written byte by byte into one buffer: a String of this size takes seconds in a debug build.
            let size = Int(head.uri.split(separator: "=").last ?? "0") ?? 0
            var big = context.channel.allocator.buffer(capacity: size)
            big.writeRepeatingByte(UInt8(ascii: "x"), count: size)
            body = big
        } else if head.uri.hasPrefix("/random") {
            // /random?size=N: N bytes that do not compress (TestHTTPServer.randomBytes).
            let size = Int(head.uri.split(separator: "=").last ?? "0") ?? 0
            body = context.channel.allocator.buffer(bytes: TestHTTPServer.randomBytes(size))
        } else if head.uri.hasPrefix("/chunked") {
            // /chunked?size=N: N bytes of text in 1000-byte chunks, no Content-Length.
            let size = Int(head.uri.split(separator: "=").last ?? "0") ?? 0
            let text = TestHTTPServer.text(size)
            let response = HTTPResponseHead(version: head.version, status: .ok, headers: ["Content-Type": "text/html; charset=utf-8", "Transfer-Encoding": "chunked"])
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            var offset = 0
            while offset < text.count {
                let piece = text[offset..<min(offset + 1000, text.count)]
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: piece)))), promise: nil)
                offset += 1000
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        } else if head.uri.hasPrefix("/set?") {
            // /set?NAME=VALUE&...: a text body with these response headers (percent-decoded);
            // a Content-Type given here replaces text/plain. /set?...&size=N: N bytes of text.
            var size = 2000
            for pair in head.uri.dropFirst(5).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                guard parts.count == 2 else { continue }
                if parts[0] == "size" { size = Int(parts[1]) ?? size } else { headers.add(name: parts[0], value: parts[1]) }
            }
            body = context.channel.allocator.buffer(bytes: TestHTTPServer.text(size))
        } else if head.uri.hasPrefix("/echo") {
            text = "received \(bodyBytes) bytes\n"
        } else if head.uri.hasPrefix("/session") {
            headers.add(name: "Set-Cookie", value: "SESSIONID=abc; Path=/")
        } else if head.uri.hasPrefix("/headers") {
            text = head.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n"
        } else if head.uri.hasPrefix("/cache/") {
            // /cache/VALUE answers with `Cache-Control: VALUE` (percent-decoded).
            headers.add(name: "Cache-Control", value: String(head.uri.dropFirst(7)).removingPercentEncoding ?? "")
        } else if head.uri.hasPrefix("/status/") {
            status = HTTPResponseStatus(statusCode: Int(head.uri.dropFirst(8)) ?? 500)
        }
        let payload = body ?? context.channel.allocator.buffer(string: text)
        headers.add(name: "Content-Length", value: "\(payload.readableBytes)")
        if !headers.contains(name: "Content-Type") { headers.add(name: "Content-Type", value: "text/plain") }
        let response = HTTPResponseHead(version: head.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(payload))), promise: nil)
        }
        let keepAlive = head.isKeepAlive
        let channel = context.channel
        let server = self.server
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            server.responsesWritten.add(1, ordering: .relaxed)
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}

/// A TCP server that answers every read with fixed bytes (a server sending garbage), or echoes.
final class RawTCPServer: Sendable {
    enum Behaviour: Sendable {
        case reply(String)
        case echo
        /// Answers the first read with a 101 response, then echoes.
        case upgradeThenEcho
        /// Answers the first read with `200 Connection established` (a CONNECT), then echoes.
        case connectThenEcho
    }

    let listener: any Channel
    let bytesReceived = Atomic<Int>(0)

    var port: Int { listener.localAddress?.port ?? 0 }

    init(listener: any Channel) {
        self.listener = listener
    }

    static func start(group: MultiThreadedEventLoopGroup, behaviour: Behaviour) async throws -> RawTCPServer {
        let counter = Atomic<Int>(0)
        _ = counter
        let box = Mutex<RawTCPServer?>(nil)
        let listener = try await ServerBootstrap(group: group)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawHandler(behaviour: behaviour, server: box.withLock { $0 }))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = RawTCPServer(listener: listener)
        box.withLock { $0 = server }
        return server
    }

    func stop() async {
        try? await listener.close()
    }
}

private final class RawHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let behaviour: RawTCPServer.Behaviour
    let server: RawTCPServer?
    private var upgraded = false

    init(behaviour: RawTCPServer.Behaviour, server: RawTCPServer?) {
        self.behaviour = behaviour
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        server?.bytesReceived.add(buffer.readableBytes, ordering: .relaxed)
        switch behaviour {
        case .reply(let text):
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
        case .echo:
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        case .upgradeThenEcho, .connectThenEcho:
            if upgraded {
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            } else {
                upgraded = true
                let text: String
                if case .connectThenEcho = behaviour {
                    text = "HTTP/1.1 200 Connection established\r\n\r\n"
                } else {
                    text = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                }
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // Half-close: answer "bye" and close our side too.
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "bye")), promise: nil)
            context.close(mode: .output, promise: nil)
        }
    }
}
