/// A libnl call failed; `code` is libnl's (negative) error number and `operation` what we asked.
public struct NetlinkError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var code: Int32
    public var description: String { "netlink \(operation) failed (libnl error \(code))" }
}
