import TLS

/// The TLS session a client came in on (`ssl_fc`, `ssl_fc_sni`, `ssl_fc_protocol`), kept by
/// reference: `TLSConnectionInfo` is ~120 bytes of strings, and held inline it made every
/// session larger, plain HTTP ones included (issue 12: memory per idle client connection).
final class ClientTLS {
    let info: TLSConnectionInfo

    init(_ info: TLSConnectionInfo) {
        self.info = info
    }
}
