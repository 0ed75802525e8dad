import Glibc
import HACore
import Logging
import Netlink

/// What every node of one engine shares: the bus, the address table, the notify runner,
/// the thread pool that reaps script processes, and the engine's logger.
struct NodeEnvironment: Sendable {
    var bus: EventBus
    var logger: Logger
    var addresses: AddressTable
    var notifier: NotifyRunner

    func interfaceName(_ index: UInt32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(index, &buffer) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
