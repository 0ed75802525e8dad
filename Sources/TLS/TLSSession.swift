import CTLS

/// A TLS session a client kept from an earlier connection (RFC 8446 §2.2 / RFC 5077 ticket),
/// offered on the next connection so the handshake resumes instead of running in full.
///
/// Immutable once made: OpenSSL reference-counts and locks a session, so one may be offered
/// by connections on any thread.
public final class TLSSession: @unchecked Sendable {
    let session: OpaquePointer

    /// Takes over one reference to `session`.
    init(owning session: OpaquePointer) { self.session = session }

    deinit { SSL_SESSION_free(session) }
}
