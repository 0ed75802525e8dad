#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import NIOCore

/// A stick-table key, typed as the table's `type` (HAProxy §4.2 `stick-table type`): the sample
/// converted once, so a lookup hashes a few bytes.
package enum StickKey: Sendable, Hashable {
    case ipv4(UInt32)
    case ipv6(UInt64, UInt64)
    case integer(Int64)
    case string(String)

    /// The key of `value` in a table of `plan`'s type; nil when the sample is absent or does
    /// not convert (an IPv6 client in a `type ip` table, unless IPv4-mapped; text that is no
    /// number in a `type integer` table), in which case HAProxy neither matches nor stores.
    init?(_ value: SampleValue, plan: StickTablePlan) {
        switch (plan.type, value) {
        case (_, .absent):
            return nil
        case (.ip, .address), (.ipv6, .address):
            let bytes = value.bytes
            self.init(addressBytes: bytes, ipv6: plan.type == .ipv6)
        case (.ip, .text(let text)), (.ipv6, .text(let text)):
            self.init(text: String(text), type: plan.type)
        case (.ip, .integer(let number)):
            guard (0...Int(UInt32.max)).contains(number) else { return nil }
            self = .ipv4(UInt32(number))
        case (.integer, .address):
            let bytes = value.bytes
            guard bytes.count == 4 else { return nil }
            self = .integer(Int64(bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
        case (.integer, .text(let text)):
            guard let number = Int64(text) else { return nil }
            self = .integer(number)
        case (.integer, .integer(let number)):
            self = .integer(Int64(number))
        case (.integer, .boolean(let flag)):
            self = .integer(flag ? 1 : 0)
        case (.string, _):
            var text = String(value.text)
            let limit = plan.length ?? 32
            if text.utf8.count > limit { text = String(decoding: text.utf8.prefix(limit), as: UTF8.self) }
            self = .string(text)
        default:
            return nil
        }
    }

    /// 4 or 16 address bytes; IPv4-mapped IPv6 is IPv4 in a `type ip` table, IPv4 is mapped in `type ipv6`.
    init?(addressBytes bytes: [UInt8], ipv6: Bool) {
        func word(_ slice: ArraySlice<UInt8>) -> UInt64 { slice.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        if bytes.count == 4 {
            let v4 = UInt32(word(bytes[0..<4]))
            self = ipv6 ? .ipv6(0, 0x0000_FFFF_0000_0000 | UInt64(v4)) : .ipv4(v4)
        } else if bytes.count == 16 {
            let high = word(bytes[0..<8]), low = word(bytes[8..<16])
            if ipv6 {
                self = .ipv6(high, low)
            } else {
                guard high == 0, low >> 32 == 0xFFFF else { return nil }
                self = .ipv4(UInt32(truncatingIfNeeded: low))
            }
        } else {
            return nil
        }
    }

    /// Parses the text `description` prints (the peer link and `clear table ... key` carry keys as text).
    init?(text: String, type: StickTablePlan.KeyType, length: Int? = nil) {
        switch type {
        case .ip, .ipv6:
            var v4 = in_addr()
            var v6 = in6_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                let bytes = withUnsafeBytes(of: &v4) { Array($0) }
                self.init(addressBytes: bytes, ipv6: type == .ipv6)
            } else if inet_pton(AF_INET6, text, &v6) == 1 {
                let bytes = withUnsafeBytes(of: &v6) { Array($0) }
                self.init(addressBytes: bytes, ipv6: type == .ipv6)
            } else {
                return nil
            }
        case .integer:
            guard let number = Int64(text) else { return nil }
            self = .integer(number)
        case .string:
            let limit = length ?? 32
            self = .string(text.utf8.count > limit ? String(decoding: text.utf8.prefix(limit), as: UTF8.self) : text)
        }
    }

    /// As HAProxy's `show table` prints keys: dotted IPv4, RFC 5952 IPv6, decimal, raw text.
    package var description: String {
        switch self {
        case .ipv4(let v4):
            return "\(v4 >> 24).\(v4 >> 16 & 0xff).\(v4 >> 8 & 0xff).\(v4 & 0xff)"
        case .ipv6(let high, let low):
            var bytes = [UInt8](repeating: 0, count: 16)
            for i in 0..<8 {
                bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
                bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
            }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = bytes.withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        case .integer(let number):
            return String(number)
        case .string(let text):
            return text
        }
    }
}
