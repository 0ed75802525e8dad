public import NIOCore
public import NIOPosix

/// One round of the liveness probe: a TCP connect to every target that this node holds,
/// closed at once (HAProxy's plain `check`, a layer-4 check). An address this node does not
/// hold (a VIP while BACKUP) is skipped: connecting to it would test the peer's proxy.
public struct TCPConnectProbe: Sendable {
    /// The result of one round.
    public enum Outcome: Sendable, Equatable {
        case success
        case failure(String)
        /// Nothing this node could probe (every bind is on an address it does not hold).
        case skipped
    }

    public var targets: [LivenessTarget]
    public var timeout: TimeAmount
    private let group: any EventLoopGroup
    /// Told each connection's local address before it is closed (the proxy leaves those out of
    /// its logs and counters).
    private let connected: @Sendable (SocketAddress) -> Void

    public init(targets: [LivenessTarget], timeout: TimeAmount, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                connected: @escaping @Sendable (SocketAddress) -> Void = { _ in }) {
        self.connected = connected
        self.targets = targets
        self.timeout = timeout
        self.group = group
    }

    public func probe() async -> Outcome {
        let local = Self.localAddresses()
        var probed = 0
        for target in targets {
            guard target.host.hasPrefix("127.") || target.host == "::1" || local.contains(target.host) else { continue }
            probed += 1
            do {
                let address = try SocketAddress(ipAddress: target.host, port: target.port)
                let channel = try await ClientBootstrap(group: group)
                    .connectTimeout(timeout)
                    .connect(to: address)
                    .get()
                if let local = channel.localAddress { connected(local) }
                try? await channel.close()
            } catch {
                return .failure("\(target): \(Self.describe(error))")
            }
        }
        return probed == 0 ? .skipped : .success
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return error.description }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return "connect timeout" }
        return "\(error)"
    }

    /// The addresses configured on this node's interfaces now (getifaddrs(3)).
    static func localAddresses() -> Set<String> {
        guard let devices = try? System.enumerateDevices() else { return [] }
        return Set(devices.compactMap { $0.address?.ipAddress })
    }
}
