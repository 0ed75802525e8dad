import HACore
import Logging
import NIOCore
import NIOPosix
import TLS

/// Runs HAProxy's `check` for every server that has it, one `ServerChecker` per server on
/// one of the loops, and applies transitions: the server's shared UP flag, an
/// `HAEvent.serverHealth` on the bus, one log line.
final class HealthMonitor: Sendable {
    private let checkers: [NIOLoopBound<ServerChecker>]
    /// [backend][server] -> position in `checkers`.
    private let index: [[Int?]]

    init(runtime: ProxyRuntime) async throws {
        var checkers: [NIOLoopBound<ServerChecker>] = []
        var index: [[Int?]] = []
        var next = 0
        for backend in runtime.backends {
            var row: [Int?] = []
            for (s, server) in backend.servers.enumerated() {
                guard server.plan.check, !server.plan.disabled else {
                    row.append(nil)
                    continue
                }
                let loop = runtime.loops[next % runtime.loops.count]
                let checker = try await loop.submit {
                    NIOLoopBound(ServerChecker(runtime: runtime, backend: backend, server: s, eventLoop: loop), eventLoop: loop)
                }.get()
                row.append(checkers.count)
                checkers.append(checker)
                next += 1
            }
            index.append(row)
        }
        self.checkers = checkers
        self.index = index
    }

    func start() {
        for checker in checkers {
            checker.eventLoop.execute { checker.value.start() }
        }
    }

    func stop() async {
        for checker in checkers {
            try? await checker.eventLoop.submit { checker.value.stop() }.get()
        }
    }

    /// `set server B/S state maint` stops the server's checks; leaving `maint` resumes them
    /// with a check right away. Returns once the checker's loop has it.
    func setMaintenance(backend: Int, server: Int, _ maintenance: Bool) async {
        guard let position = index[backend][server] else { return }
        let checker = checkers[position]
        try? await checker.eventLoop.submit { checker.value.setSuspended(maintenance) }.get()
    }

    /// `observe layer7`: a server sent an unparseable response or a 5xx error.
    func layer7Failure(backend: Int, server: Int, reason: String) {
        guard let position = index[backend][server] else { return }
        let checker = checkers[position]
        checker.eventLoop.execute { checker.value.observed(.failed(reason)) }
    }
}

/// The shell around one server's `HealthCheckState`: performs checks, feeds results in.
final class ServerChecker {
    let runtime: ProxyRuntime
    let backend: BackendState
    let server: Int
    let eventLoop: any EventLoop
    var state: HealthCheckState
    private var task: Scheduled<Void>?
    private var running = false
    /// When the check under way started (its duration is in the UP/DOWN log line).
    private var checkStarted: NIODeadline?
    private var stopped = false
    /// In `maint`: no checks are scheduled, and a check already under way is not recorded.
    private var suspended = false

    init(runtime: ProxyRuntime, backend: BackendState, server: Int, eventLoop: any EventLoop) {
        self.runtime = runtime
        self.backend = backend
        self.server = server
        self.eventLoop = eventLoop
        let plan = backend.servers[server].plan
        self.state = HealthCheckState(rise: plan.rise, fall: plan.fall, inter: plan.inter, fastinter: plan.fastinter,
                                      downinter: plan.downinter, startUp: true, now: .now())
    }

    private var serverState: ServerState { backend.servers[server] }

    func start() {
        // Spread the first checks over one interval, as HAProxy does.
        let inter = state.inter.nanoseconds
        schedule(in: .nanoseconds(Int64.random(in: 0...max(inter / 4, 1))))
    }

    func stop() {
        stopped = true
        task?.cancel()
        task = nil
    }

    func setSuspended(_ suspended: Bool) {
        guard suspended != self.suspended else { return }
        self.suspended = suspended
        task?.cancel()
        task = nil
        if !suspended && !running { schedule(in: .zero) }
    }

    private func schedule(in delay: TimeAmount) {
        guard !stopped, !suspended else { return }
        task = eventLoop.assumeIsolated().scheduleTask(in: delay) { [weak self] in
            self?.runCheck()
        }
    }

    func observed(_ result: HealthCheckState.Result) {
        guard !suspended else { return }
        apply(state.record(result, now: .now()))
    }

    private func runCheck() {
        guard !stopped, !suspended, !running else { return }
        running = true
        checkStarted = .now()
        let timeouts = backend.plan.timeouts
        let limit = timeouts.check ?? timeouts.connect ?? state.inter
        let connectTimeout = min(timeouts.connect ?? limit, limit)
        let check = backend.plan.healthCheck
        let request: String? = check.map { Self.requestText($0) }
        let plan = serverState.plan
        let tls = plan.checkTLS
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try UpstreamTLS.addHandlers(to: channel, context: tls, serverName: plan.checkServerName,
                                                    verifyHost: plan.verifyHost, handshakeTimeout: limit)
                    }
                    try channel.pipeline.syncOperations.addHandler(CheckResponseReader())
                }
            }
            .connect(to: serverState.checkAddress)
            .flatMap { channel in
                UpstreamTLS.handshakeDone(channel).map { channel }.flatMapErrorThrowing { error in
                    channel.close(promise: nil)
                    throw error
                }
            }
            .assumeIsolated()
            .whenComplete { [weak self] result in
                guard let self else { return }
                switch result {
                case .failure(let error as TLSError):
                    // HAProxy reports these as a layer 6 failure.
                    self.finish(.failed("Layer6 invalid response: \(error)"))
                case .failure(let error):
                    self.finish(.failed(Self.layer4Reason(error)))
                case .success(let channel):
                    guard let request, let check else {
                        channel.close(promise: nil)
                        self.finish(.passed(tls == nil ? "Layer4 check passed" : "Layer6 check passed"))
                        return
                    }
                    self.httpCheck(channel: channel, request: request, check: check, limit: limit)
                }
            }
    }

    private func httpCheck(channel: any Channel, request: String, check: HTTPCheckPlan, limit: TimeAmount) {
        guard let reader = try? channel.pipeline.syncOperations.handler(type: CheckResponseReader.self) else {
            channel.close(promise: nil)
            finish(.failed("Layer7 internal error"))
            return
        }
        var done = false
        let timeout = eventLoop.assumeIsolated().scheduleTask(in: limit) { [weak self] in
            guard !done else { return }
            done = true
            channel.close(promise: nil)
            self?.finish(.failed("Layer7 timeout"))
        }
        reader.onComplete = { [weak self] bytes in
            guard !done else { return }
            done = true
            timeout.cancel()
            channel.close(promise: nil)
            self?.finish(Self.evaluate(bytes, check.expect))
        }
        var buffer = channel.allocator.buffer(capacity: request.utf8.count)
        buffer.writeString(request)
        channel.writeAndFlush(buffer, promise: nil)
    }

    private func finish(_ result: HealthCheckState.Result) {
        running = false
        guard !suspended else { return }
        switch result {
        case .passed(let reason): serverState.lastCheckResult.withLock { $0 = (true, reason) }
        case .failed(let reason): serverState.lastCheckResult.withLock { $0 = (false, reason) }
        }
        let action = state.record(result, now: .now())
        apply(action)
        checkStarted = nil
        schedule(in: state.interval)
    }

    private func apply(_ action: HealthCheckState.Action?) {
        guard case .transition(let up, let reason) = action else { return }
        let plan = serverState.plan
        let now = Int64(NIODeadline.now().uptimeNanoseconds)
        if up { serverState.upSince.store(now, ordering: .relaxed) }
        serverState.lastChange.store(now, ordering: .relaxed)
        serverState.up.store(up, ordering: .relaxed)
        serverState.lastCheck.withLock { $0 = reason }
        runtime.bus.post(.serverHealth(backend: backend.plan.name, server: plan.name, up: up, reason: reason))
        var logger = runtime.logger
        logger[metadataKey: "backend"] = "\(backend.plan.name)"
        logger[metadataKey: "server"] = "\(plan.name)"
        logger[metadataKey: "reason"] = "\(reason)"
        if up {
            logger.notice("server is UP")
            runtime.wakeQueues(backend: backend.index)
        } else {
            logger.warning("server is DOWN")
        }
        logToTargets(up: up, reason: reason)
    }

    /// HAProxy's UP/DOWN lines on the backend's log targets (`ServerStateLogLine`).
    private func logToTargets(up: Bool, reason: String) {
        guard let sink = runtime.backendLogSinks[backend.index] else { return }
        let duration = checkStarted.map { max((NIODeadline.now() - $0).nanoseconds / 1_000_000, 0) } ?? 0
        let upServers = backend.servers.filter(\.isUp)
        let counts = ServerStateLogLine.Counts(active: upServers.filter { !$0.plan.backup }.count, backup: upServers.filter(\.plan.backup).count)
        let plan = serverState.plan
        if up {
            sink.emit(ServerStateLogLine.up(backend: backend.plan.name, server: plan.name, isBackup: plan.backup, reason: reason,
                                            checkMilliseconds: duration, counts: counts), severity: .notice)
        } else {
            sink.emit(ServerStateLogLine.down(backend: backend.plan.name, server: plan.name, isBackup: plan.backup, reason: reason,
                                              checkMilliseconds: duration, counts: counts,
                                              sessionsActive: serverState.active.load(ordering: .relaxed)), severity: .alert)
            if counts.active + counts.backup == 0 {
                sink.emit(ServerStateLogLine.noServerAvailable(backend: backend.plan.name), severity: .emerg)
            }
        }
    }

    static func requestText(_ check: HTTPCheckPlan) -> String {
        var text = "\(check.method) \(check.uri) \(check.version)\r\n"
        for field in check.headers { text += "\(field.name): \(field.value)\r\n" }
        if !check.headers.contains(where: { $0.name.equalsIgnoringASCIICase("connection") }) {
            text += "Connection: close\r\n"
        }
        return text + "\r\n"
    }

    static func layer4Reason(_ error: any Error) -> String {
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return "Layer4 connection refused" }
        if let connection = error as? NIOConnectionError,
           connection.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
            return "Layer4 connection refused"
        }
        if case ChannelError.connectTimeout = error { return "Layer4 timeout" }
        return "Layer4 connection problem: \(error)"
    }

    /// Judges an HTTP check's response bytes against `http-check expect`.
    static func evaluate(_ bytes: ByteBuffer, _ expect: HTTPCheckExpectation) -> HealthCheckState.Result {
        let text = String(buffer: bytes)
        guard text.hasPrefix("HTTP/1."), text.utf8.count >= 12 else { return .failed("Layer7 invalid response") }
        let statusText = text.dropFirst(9).prefix(3)
        guard let status = Int(statusText) else { return .failed("Layer7 invalid response") }
        let body = text.firstRange(of: "\r\n\r\n").map { text[$0.upperBound...] } ?? ""
        return judge(expect, status: status, statusText: statusText, body: body)
    }

    private static func judge(_ expect: HTTPCheckExpectation, status: Int, statusText: Substring, body: Substring) -> HealthCheckState.Result {
        let passed = HealthCheckState.Result.passed("Layer7 check passed: \(status)")
        let wrongStatus = HealthCheckState.Result.failed("Layer7 wrong status \(status)")
        let wrongContent = HealthCheckState.Result.failed("Layer7 response content error")
        switch expect {
        case .statusClass2xx3xx:
            return (200..<400).contains(status) ? passed : wrongStatus
        case .status(let ranges):
            return ranges.contains { $0.contains(status) } ? passed : wrongStatus
        case .statusPattern(let regex):
            return regex.matches(statusText) ? passed : wrongStatus
        case .bodyContains(let needle):
            return body.contains(needle) ? passed : wrongContent
        case .bodyPattern(let regex):
            return regex.matches(body) ? passed : wrongContent
        case .not(let inner):
            if case .passed = judge(inner, status: status, statusText: statusText, body: body) {
                return inner.isStatusMatch ? wrongStatus : wrongContent
            }
            return passed
        }
    }
}

/// Collects a check response until the server closes (or enough for a status line and a body).
final class CheckResponseReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    var onComplete: ((ByteBuffer) -> Void)?
    private var collected = ByteBuffer()
    private let limit = 16384

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        collected.writeBuffer(&buffer)
        if collected.readableBytes >= limit { complete() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func complete() {
        let callback = onComplete
        onComplete = nil
        callback?(collected)
    }
}

extension HTTPCheckExpectation {
    var isStatusMatch: Bool {
        switch self {
        case .statusClass2xx3xx, .status, .statusPattern: true
        case .bodyContains, .bodyPattern: false
        case .not(let inner): inner.isStatusMatch
        }
    }
}
