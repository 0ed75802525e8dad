#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore
import NIOPosix
import TLS

/// Binds a frontend's `bind` lines: one listening socket per event loop per address with
/// SO_REUSEPORT (the kernel spreads connections over the loops), and IP_FREEBIND so a backup
/// node can bind a VIP before VRRP gives it the address.
enum Listener {
    /// Every frontend's listeners, indexed by frontend.
    static func bindAll(runtime: ProxyRuntime) async throws -> [[any Channel]] {
        var bound: [[any Channel]] = []
        do {
            for f in runtime.plan.frontends.indices {
                bound.append(try await bindFrontend(runtime: runtime, frontend: f))
            }
        } catch {
            for channel in bound.joined() { try? await channel.close() }
            throw error
        }
        return bound
    }

    /// One frontend's listeners: for each `bind` line, one per loop. `ports` (one per bind line)
    /// replaces the configured ports, so a frontend enabled again gets the ports that port-0
    /// binds resolved to the first time.
    static func bindFrontend(runtime: ProxyRuntime, frontend f: Int, ports: [Int]? = nil) async throws -> [any Channel] {
        var channels: [any Channel] = []
        do {
            for (b, bind) in runtime.plan.frontends[f].binds.enumerated() {
                var port = ports?[b] ?? bind.port
                for context in runtime.contexts {
                    let channel = try await bindOne(runtime: runtime, frontend: f, bind: bind, port: port, context: context)
                    if port == 0 { port = channel.localAddress?.port ?? 0 }
                    channels.append(channel)
                }
            }
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }
        return channels
    }

    private static func bindOne(runtime: ProxyRuntime, frontend: Int, bind: BindPlan, port: Int,
                                context: NIOLoopBound<LoopContext>) async throws -> any Channel {
        let plan = runtime.plan.frontends[frontend]
        let tls = bind.tls
        let bindLabel = bind.label
        let host = (bind.host == nil || bind.host == "*" || bind.host == "") ? "0.0.0.0" : bind.host!
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: host, port: port)
        } catch {
            throw ProxyError("frontend '\(plan.name)': bind \(host):\(port): not an IP address")
        }
        let isV6 = address.protocol == .inet6
        let reusePort = ChannelOptions.Types.SocketOption(level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET),
                                                          name: NIOBSDSocket.Option(rawValue: SO_REUSEPORT))
        let freeBind = isV6
            ? ChannelOptions.Types.SocketOption(level: NIOBSDSocket.OptionLevel(rawValue: Int32(IPPROTO_IPV6)),
                                                name: NIOBSDSocket.Option(rawValue: 78))  // IPV6_FREEBIND
            : ChannelOptions.Types.SocketOption(level: NIOBSDSocket.OptionLevel(rawValue: Int32(IPPROTO_IP)),
                                                name: NIOBSDSocket.Option(rawValue: 15))  // IP_FREEBIND
        let mode = plan.mode
        let frontendIndex = frontend
        let bootstrap = ServerBootstrap(group: context.eventLoop)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(reusePort, value: 1)
            .serverChannelOption(freeBind, value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.recvAllocator, value: ReceiveBuffers.client(bufsize: runtime.plan.bufsize))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let loop = context.value
                    if let tls {
                        #if DEBUG
                        if let stall = TestFaults.tlsStallHandler() { try channel.pipeline.syncOperations.addHandler(stall) }
                        #endif
                        // TLS first: the session starts (channelActive) once the handshake is done,
                        // which `timeout client` bounds as HAProxy does.
                        try channel.pipeline.syncOperations.addHandler(
                            TLSHandler(server: tls, handshakeTimeout: plan.timeouts.client, buffers: loop.tlsBuffers))
                        try channel.pipeline.syncOperations.addHandler(
                            TLSFailureLog(loop: loop, frontendIndex: frontendIndex, bindLabel: bindLabel))
                    }
                    switch mode {
                    case .http:
                        try channel.pipeline.syncOperations.addHandler(HTTPSession(loop: loop, frontendIndex: frontendIndex))
                    case .tcp:
                        try channel.pipeline.syncOperations.addHandler(TCPSession(loop: loop, frontendIndex: frontendIndex))
                    }
                }
            }
        do {
            let channel = try await bootstrap.bind(to: address).get()
            try await context.eventLoop.submit { context.value.registerListener(channel, frontend: frontendIndex) }.get()
            return channel
        } catch {
            throw ProxyError("frontend '\(plan.name)': cannot bind \(isV6 ? "[\(host)]" : host):\(port): \(error)")
        }
    }
}
