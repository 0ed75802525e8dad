public import HACore

/// HAProxy `compression algo ...`, `compression type ...` and `compression offload`
/// (configuration manual §4.2): responses compressed by the proxy when the client accepts it.
public struct HTTPCompression: Sendable, Equatable, Hashable {
    /// A `compression algo` name and the content coding it produces (RFC 9110 §8.4.1).
    public enum Algorithm: String, Sendable, Equatable, Hashable, CaseIterable {
        /// Leaves the body as it is (HAProxy: for debugging); accepted whatever the client says.
        case identity
        /// `gzip`: the gzip wrapper (RFC 1952).
        case gzip
        /// `deflate`: the zlib wrapper (RFC 1950), coding `deflate`.
        case deflate
        /// `raw-deflate`: a bare deflate stream labelled `deflate`, for clients that expect one.
        case rawDeflate = "raw-deflate"

        /// The Accept-Encoding / Content-Encoding token this algorithm answers to.
        public var token: String {
            switch self {
            case .identity: "identity"
            case .gzip: "gzip"
            case .deflate, .rawDeflate: "deflate"
            }
        }
    }

    /// `compression algo`: in order of preference (every line adds to the list).
    public var algorithms: [Algorithm]
    /// `compression type`: the media types compressed; empty: every type.
    public var types: [String]
    /// `compression offload`: Accept-Encoding is removed from requests so servers never compress.
    public var offload: Bool
    public var location: SourceLocation

    public init(algorithms: [Algorithm] = [], types: [String] = [], offload: Bool = false, location: SourceLocation = .builtIn) {
        self.algorithms = algorithms
        self.types = types
        self.offload = offload
        self.location = location
    }
}
