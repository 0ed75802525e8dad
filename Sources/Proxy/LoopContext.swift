import Logging
import NIOCore
import NIOPosix
import TLS

/// The state one event loop owns: its counters, its connection pools, its queues.
/// Touched only on that loop, so nothing here needs a lock.
final class LoopContext {
    let index: Int
    let eventLoop: any EventLoop
    let runtime: ProxyRuntime
    var counters: LoopCounters
    var pools: [ConnectionPoolState]
    var idleConnections: [Int: UpstreamConnection] = [:]
    var nextConnectionID = 0
    var queues: [CircularBuffer<HTTPSession>]
    /// Each backend's admin states, weights and balancer as the operator last set them.
    private(set) var controls: [BackendControl]
    /// Client connections open on this loop (the log's actconn); `maxconn` counts the whole
    /// process in `runtime.admission`.
    var activeSessions = 0
    /// Each frontend's listeners on this loop, paused while `maxconn` is reached.
    var listeners: [[any Channel]]
    private var accepting: [Bool]
    /// HTTP sessions of this loop, for a soft stop.
    private var httpSessions: [ObjectIdentifier: HTTPSession] = [:]
    /// Set once shutdown began: sessions finish their exchange and close.
    private(set) var stopping = false
    private var expiryTask: Scheduled<Void>?
    /// The timeouts of this loop's HTTP sessions, one NIO task for all (SessionWatchdogs).
    let watchdogs: SessionWatchdogs
    /// The clock as the socket read being handled saw it (LoopContext+Clock).
    var readTime: NIODeadline?
    /// The pending `malloc_trim` after the loop's last session closed (LoopContext+HeapTrim).
    var heapTrimTask: Scheduled<Void>?
    /// Head buffers idle sessions gave back, lent to the next that needs one (SpareHeadBuffers).
    var spareHeadBuffers: [ByteBuffer] = []
    private var stopped = false
    /// Emptied header-field arrays, kept for the next heads this loop parses: a message's
    /// fields then cost no array allocation. Held by the loop, not by each connection, so an
    /// idle keep-alive client holds none; at most `maxSpareFieldArrays`, none larger than 64 fields.
    private var spareFieldArrays: [[HTTPFields.Line]] = []
    private static let maxSpareFieldArrays = 8
    /// The scratch buffers of this loop's TLS connections, client and server sides (TLSRecordBuffers).
    let tlsBuffers = TLSRecordBuffers()
    /// This loop's copy of every stick table (see `StickTableReplica`).
    var stickTables: [StickTableReplica]
    /// Stores made on this loop, not yet handed to the other loops and the peer link.
    var stickOutbox: [StickUpdate] = []
    var stickFlushScheduled = false
    /// The other loops' contexts, read once (fixed after `ProxyRuntime.makeContexts`).
    var otherContexts: [NIOLoopBound<LoopContext>]?

    init(index: Int, eventLoop: any EventLoop, runtime: ProxyRuntime) {
        self.index = index
        self.eventLoop = eventLoop
        self.runtime = runtime
        self.counters = LoopCounters(plan: runtime.plan)
        self.pools = runtime.plan.backends.map { backend in
            let keepAlive = backend.timeouts.httpKeepAlive ?? .seconds(10)
            return ConnectionPoolState(servers: backend.servers.count, idleTimeout: keepAlive)
        }
        self.queues = runtime.plan.backends.map { _ in CircularBuffer() }
        self.controls = runtime.initialControls
        self.listeners = Array(repeating: [], count: runtime.plan.frontends.count)
        self.accepting = Array(repeating: true, count: runtime.plan.frontends.count)
        self.stickTables = Self.seededStickTables(runtime)
        self.watchdogs = SessionWatchdogs(eventLoop: eventLoop)
        scheduleExpiry()
    }

    private func scheduleExpiry() {
        guard !stopped else { return }
        expiryTask = eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) { [weak self] in
            self?.expireIdleConnections()
            self?.purgeStickTables()
            self?.scheduleExpiry()
        }
    }

    func registerListener(_ channel: any Channel, frontend: Int) {
        listeners[frontend].append(channel)
        // A listener bound again (`enable frontend`) starts as `maxconn` allows now.
        if !accepting[frontend] { channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in } }
    }

    /// `disable frontend`: its listeners are being closed; `maxconn` no longer pauses them.
    func unregisterListeners(frontend: Int) {
        listeners[frontend] = []
    }

    /// The server states a pick of `backend` sees on this loop.
    func serverStates(_ backend: BackendState) -> LiveServerStates {
        LiveServerStates(backend: backend, control: controls[backend.index])
    }

    /// An operator change (admin state, weight) for one backend; an older one arriving late is
    /// ignored. Queued requests are retried, as the change may have made a server usable.
    func apply(_ control: BackendControl, backend: Int) {
        guard control.generation > controls[backend].generation else { return }
        controls[backend] = control
        if !queues[backend].isEmpty { drainQueue(backend: backend) }
    }

    /// A client connection was accepted: count it, and stop accepting at `maxconn`
    /// (HAProxy leaves further connections in the kernel's backlog).
    func sessionOpened(frontend: Int) {
        activeSessions += 1
        if runtime.admission.opened(frontend: frontend) { admissionChanged() }
    }

    func sessionClosed(frontend: Int) {
        activeSessions -= 1
        if runtime.admission.closed(frontend: frontend) { admissionChanged() }
        if activeSessions == 0 { scheduleHeapTrimIfIdle() }
    }

    /// A TLS connection was accepted and is in its handshake: it holds a `maxconn` slot as a
    /// session does (a flood of handshakes must not open unbounded connections), released
    /// when the handshake ends, just before the session takes its own.
    func handshakeStarted(frontend: Int) {
        if runtime.admission.opened(frontend: frontend) { admissionChanged() }
    }

    func handshakeEnded(frontend: Int) {
        if runtime.admission.closed(frontend: frontend) { admissionChanged() }
    }

    /// A `maxconn` was reached or left: this loop's listeners follow now, the others' soon.
    private func admissionChanged() {
        updateAccepting()
        runtime.updateAccepting(except: index)
    }

    /// Pauses or resumes this loop's listeners as the process-wide counts allow.
    func updateAccepting() {
        for f in listeners.indices {
            let open = runtime.admission.admits(frontend: f)
            guard open != accepting[f] else { continue }
            accepting[f] = open
            for channel in listeners[f] {
                channel.setOption(ChannelOptions.autoRead, value: open).whenFailure { _ in }
            }
        }
    }

    func register(_ session: HTTPSession) {
        httpSessions[ObjectIdentifier(session)] = session
    }

    func unregister(_ session: HTTPSession) {
        httpSessions[ObjectIdentifier(session)] = nil
    }

    /// HAProxy's soft stop: idle keep-alive clients are closed now, the others after their
    /// current response (which then says `Connection: close`).
    func softStop() {
        stopping = true
        for session in Array(httpSessions.values) { session.softStop() }
    }

    /// An empty field array to parse a head into (one kept from an earlier message, if any).
    func takeFieldStorage() -> [HTTPFields.Line] {
        spareFieldArrays.popLast() ?? []
    }

    /// A message is done with its fields: the array is emptied and kept for the next head.
    func recycleFieldStorage(_ fields: inout HTTPFields) {
        guard spareFieldArrays.count < Self.maxSpareFieldArrays, fields.lineCapacity <= 64 else { return }
        spareFieldArrays.append(fields.takeLineStorage())
    }

    func makeConnectionID() -> Int {
        nextConnectionID += 1
        return nextConnectionID
    }

    /// Parks `connection` for reuse or closes it, and frees its server slot.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        let backend = runtime.backends[connection.backend]
        let action = pools[connection.backend].release(connection.id, server: connection.server,
                                                       reusable: reusable && backend.plan.reuseConnections,
                                                       now: now)
        switch action {
        case .park:
            idleConnections[connection.id] = connection
            connection.becameIdle()
        case .close:
            connection.close()
        }
    }

    /// A server slot of `backend` was freed: queued requests may proceed.
    func serverSlotFreed(backend: Int) {
        if runtime.backends[backend].queued.load(ordering: .relaxed) > 0 {
            runtime.wakeQueues(backend: backend)
        }
    }

    func takeIdle(_ id: Int) -> UpstreamConnection? {
        idleConnections.removeValue(forKey: id)
    }

    func idleConnectionClosed(_ connection: UpstreamConnection) {
        if idleConnections.removeValue(forKey: connection.id) != nil {
            pools[connection.backend].remove(connection.id, server: connection.server)
        }
    }

    func enqueue(_ session: HTTPSession, backend: Int) {
        queues[backend].append(session)
        runtime.backends[backend].queued.add(1, ordering: .relaxed)
        counters.backends[backend].queueCurrent += 1
        counters.backends[backend].queueMax = max(counters.backends[backend].queueMax, counters.backends[backend].queueCurrent)
    }

    func dequeue(_ session: HTTPSession, backend: Int) {
        if let position = queues[backend].firstIndex(where: { $0 === session }) {
            queues[backend].remove(at: position)
            runtime.backends[backend].queued.subtract(1, ordering: .relaxed)
            counters.backends[backend].queueCurrent -= 1
        }
    }

    /// Hands queued requests, oldest first, to servers with a free slot.
    func drainQueue(backend: Int) {
        while let session = queues[backend].first {
            guard session.retryFromQueue() else { return }
            _ = queues[backend].removeFirst()
            runtime.backends[backend].queued.subtract(1, ordering: .relaxed)
            counters.backends[backend].queueCurrent -= 1
        }
    }

    private func expireIdleConnections() {
        let now = self.now
        var closed = false
        for b in pools.indices {
            for id in pools[b].expire(now: now) {
                idleConnections.removeValue(forKey: id)?.close()
                closed = true
            }
        }
        for connection in idleConnections.values { connection.shrinkReadBuffers() }
        // What the expired connections held goes back to the system too (HeapTrim).
        if closed { scheduleHeapTrimIfIdle() }
    }

    func shutdown() {
        stopped = true
        expiryTask?.cancel()
        expiryTask = nil
        // The sessions' watchdogs stay: a session still open after a reload's drain keeps its
        // timeouts, as it did with a task of its own.
        for connection in idleConnections.values { connection.close() }
        idleConnections.removeAll()
    }
}
