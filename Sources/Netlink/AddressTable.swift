import CNetlink
import Glibc
import Synchronization

/// The kernel's address table through libnl-route-3 (`RTM_NEWADDR` / `RTM_DELADDR`): what
/// keepalived does for `virtual_ipaddress`. One netlink socket, serialised by a mutex.
public final class AddressTable: Sendable {
    private let socket: Mutex<OpaquePointer?>

    public init() throws(NetlinkError) {
        guard let sock = nl_socket_alloc() else { throw NetlinkError(operation: "nl_socket_alloc", code: -NLE_NOMEM) }
        let rc = nl_connect(sock, NETLINK_ROUTE)
        guard rc == 0 else {
            nl_socket_free(sock)
            throw NetlinkError(operation: "nl_connect", code: rc)
        }
        socket = Mutex(sock)
    }

    deinit {
        socket.withLock { sock in
            if let sock { nl_socket_free(sock) }
            sock = nil
        }
    }

    /// Adds `address`; an address already present counts as success (it is ours now).
    /// IPv6 addresses skip duplicate address detection, as a VIP must answer at once.
    public func add(_ address: InterfaceAddress) throws(NetlinkError) {
        let rc = withRoute(address) { sock, object in rtnl_addr_add(sock, object, NLM_F_REPLACE) }
        if rc < 0 && -rc != NLE_EXIST { throw NetlinkError(operation: "add \(address)", code: rc) }
    }

    /// Removes `address`; an address already gone counts as success.
    public func remove(_ address: InterfaceAddress) throws(NetlinkError) {
        let rc = withRoute(address) { sock, object in rtnl_addr_delete(sock, object, 0) }
        if rc < 0 && ![NLE_NOADDR, NLE_OBJ_NOTFOUND].contains(-rc) {
            throw NetlinkError(operation: "remove \(address)", code: rc)
        }
    }

    /// Every address on `interfaceIndex` (all interfaces when nil).
    public func addresses(interfaceIndex: UInt32? = nil) throws(NetlinkError) -> [InterfaceAddress] {
        var result: [InterfaceAddress] = []
        let rc: Int32 = socket.withLock { sock in
            var cache: OpaquePointer?
            let rc = rtnl_addr_alloc_cache(sock, &cache)
            guard rc == 0, let cache else { return rc }
            defer { nl_cache_free(cache) }
            var object = nl_cache_get_first(cache)
            while let current = object {
                let entry = current
                let index = UInt32(bitPattern: rtnl_addr_get_ifindex(entry))
                if interfaceIndex == nil || interfaceIndex == index, let local = rtnl_addr_get_local(entry),
                    let raw = nl_addr_get_binary_addr(local)
                {
                    let length = Int(nl_addr_get_len(local))
                    let bytes = Array(UnsafeRawBufferPointer(start: raw, count: length))
                    if let ip = IPAddress(bytes: bytes) {
                        let label = rtnl_addr_get_label(entry).map { String(cString: $0) }
                        result.append(
                            InterfaceAddress(
                                address: ip, prefixLength: UInt8(clamping: rtnl_addr_get_prefixlen(entry)),
                                interfaceIndex: index, label: label))
                    }
                }
                object = nl_cache_get_next(current)
            }
            return 0
        }
        if rc < 0 { throw NetlinkError(operation: "list addresses", code: rc) }
        return result
    }

    private func withRoute(_ address: InterfaceAddress, _ body: (OpaquePointer, OpaquePointer) -> Int32) -> Int32 {
        socket.withLock { sock in
            guard let sock, let object = rtnl_addr_alloc() else { return -NLE_NOMEM }
            defer { rtnl_addr_put(object) }
            let bytes = address.address.bytes
            guard let local = bytes.withUnsafeBytes({ nl_addr_build(address.address.family, $0.baseAddress, $0.count) })
            else { return -NLE_NOMEM }
            defer { nl_addr_put(local) }
            nl_addr_set_prefixlen(local, Int32(address.prefixLength))
            rtnl_addr_set_ifindex(object, Int32(bitPattern: address.interfaceIndex))
            rtnl_addr_set_family(object, address.address.family)
            var rc = rtnl_addr_set_local(object, local)
            if rc < 0 { return rc }
            rtnl_addr_set_prefixlen(object, Int32(address.prefixLength))
            if let label = address.label, address.address.isIPv4 {
                rc = rtnl_addr_set_label(object, label)
                if rc < 0 { return rc }
            }
            if !address.address.isIPv4 { rtnl_addr_set_flags(object, UInt32(IFA_F_NODAD)) }
            if let scope = address.scope { rtnl_addr_set_scope(object, Int32(scope)) }
            if let broadcast = address.broadcast {
                let bytes = broadcast.bytes
                guard let brd = bytes.withUnsafeBytes({ nl_addr_build(broadcast.family, $0.baseAddress, $0.count) }) else {
                    return -NLE_NOMEM
                }
                defer { nl_addr_put(brd) }
                rc = rtnl_addr_set_broadcast(object, brd)
                if rc < 0 { return rc }
            }
            return body(sock, object)
        }
    }
}
