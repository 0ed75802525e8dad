import HAConfig
import NIOCore

/// One request/response exchange of an `HTTPSession`: what was asked, where it goes, how it is doing.
///
/// A class owned by its session on one event loop: the session's steps update it in place
/// (as a struct, each step copied every reference it holds and wrote them back; perf showed it).
final class Exchange {
    var head: HTTPRequestHead
    /// "METHOD TARGET HTTP/1.x" as received, for the log.
    var requestLine: String
    /// `capture request header` values, in order (empty without captures).
    var requestCaptures: [String] = []
    /// `capture response header` values, in order (empty without captures or a response).
    var responseCaptures: [String] = []
    var backend: Int
    var server: Int?
    var designatedServer: Int?
    /// The server a retry goes back to (HAProxy retries the same server before redispatching).
    var retryServer: Int?
    /// The first-seen date of a `maxlife` persistence cookie.
    var cookieFirstSeen: Int?
    var framing: BodyFraming
    var requestFramer: BodyFramer
    var clientPersistent: Bool
    var connectionMode: ConnectionMode
    var serializedHead: ByteBuffer?
    var retriesLeft: Int
    var queued = false
    var holdsSlot = false
    var bodyBytesSent = 0
    var responseStarted = false
    var responseStatus = 0
    var responseBytes = 0
    /// `%B`: the server's response as HAProxy counts it (`LoggedBytes`); 0 until one arrives.
    var bytesRead = 0
    var tunnel = false
    var serverName = "<NOSRV>"
    var terminationState = "--"
    // Timestamps for the log's Tq/Tw/Tc/Tr/Ta.
    var requestStart: NIODeadline
    var headReceived: NIODeadline
    var queueStart: NIODeadline?
    var queueEnd: NIODeadline?
    var connectStart: NIODeadline?
    var connected: NIODeadline?
    var responseHeadAt: NIODeadline?
    var retriesUsed = 0
    /// `compression` in force for this request and the algorithm the client accepts (nil: none).
    var compression: CompressionPlan?
    var compressionAlgorithm: HTTPCompression.Algorithm?
    /// Set when the response is being compressed.
    var compressor: ResponseCompressor?
    /// `txn.`/`req.` variables the request rules set, for response rules and the log.
    var variables: [SampleValue] = []
    /// `%ID` (`unique-id-format`).
    var uniqueID: String?
    /// The stick-table entry that designated the server (`stick on|match`), if one did.
    var stickMatch: StickMatch?
    /// The keys `stick on|store-request` store once a server is chosen, one per table.
    var stickStores: [(table: Int, key: StickKey)] = []

    init(
        head: HTTPRequestHead, requestLine: String, backend: Int, framing: BodyFraming, requestFramer: BodyFramer,
        clientPersistent: Bool, connectionMode: ConnectionMode, serializedHead: ByteBuffer?, retriesLeft: Int,
        requestStart: NIODeadline, headReceived: NIODeadline
    ) {
        self.head = head
        self.requestLine = requestLine
        self.backend = backend
        self.framing = framing
        self.requestFramer = requestFramer
        self.clientPersistent = clientPersistent
        self.connectionMode = connectionMode
        self.serializedHead = serializedHead
        self.retriesLeft = retriesLeft
        self.requestStart = requestStart
        self.headReceived = headReceived
    }

    var requestBodyComplete: Bool { requestFramer.isComplete }
}
