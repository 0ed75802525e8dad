/// One stick-table entry as it leaves a process: to the peer over the peer link (`hactl` pair) or
/// to the next proxy instance after a reload. Data only: no table definition travels with it; a
/// node keeps entries only for tables of its own configuration. Keys travel as text (`StickKey.description`), expiry as the time left,
/// so two nodes whose clocks differ still agree on how long an entry lives.
public struct StickRecord: Sendable, Hashable, Codable {
    public var table: String
    public var key: String
    public var server: String
    /// When the entry was last written (epoch milliseconds): last-writer-wins between copies.
    public var stamp: Int64
    /// Milliseconds left to live; nil: the table has no `expire`.
    public var expiresIn: Int64?

    public init(table: String, key: String, server: String, stamp: Int64, expiresIn: Int64?) {
        self.table = table
        self.key = key
        self.server = server
        self.stamp = stamp
        self.expiresIn = expiresIn
    }
}
