#if canImport(Glibc)
import Glibc
#endif

/// The code the process has mapped (its own binary and the shared libraries), and how much of
/// it counts as resident.
///
/// A page of a mapped file counts in RSS once the process touched it, and the kernel maps up to
/// 64 KiB of already-cached neighbours on each such fault ("fault-around"; `MADV_RANDOM` does not
/// turn it off). Start-up runs code an idle node never runs again (argument parsing, the
/// configuration parser, building the services), so once the node is up its mapped code is
/// mostly start-up's (issue 12: 17 MiB of an idle node's 30 MiB). The file's pages stay in the
/// page cache, shared with any other process, as before.
public enum MappedCode {
    /// Unmaps the executable pages touched so far (start-up: argument parsing, the configuration
    /// parser, building the services); those the running node needs are mapped again on their
    /// next use, from the page cache. Only `r-xp` file mappings are touched: their pages are never
    /// written, so dropping them loses nothing (unlike relocated data, whose pages are private copies).
    /// Returns the number of mappings trimmed.
    @discardableResult
    public static func dropStartupPages() -> Int {
        #if canImport(Glibc)
        var dropped = 0
        for mapping in executableFileMappings() {
            if madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), mapping.end - mapping.start, MADV_DONTNEED) == 0 {
                dropped += 1
            }
        }
        return dropped
        #else
        return 0
        #endif
    }

    struct Mapping: Equatable {
        var start: Int
        var end: Int
    }

    /// The `/proc/self/maps` lines "start-end perms offset dev inode path" whose perms are `r-xp`
    /// and whose path is a file.
    static func executableFileMappings() -> [Mapping] {
        #if canImport(Glibc)
        guard let file = fopen("/proc/self/maps", "r") else { return [] }
        defer { fclose(file) }
        var mappings: [Mapping] = []
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let bytes = line.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
            if let mapping = parse(String(decoding: bytes, as: UTF8.self)) { mappings.append(mapping) }
        }
        return mappings
        #else
        return []
        #endif
    }

    static func parse(_ line: String) -> Mapping? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 6, fields[5].hasPrefix("/") else { return nil }
        guard fields[1] == "r-xp" else { return nil }
        let range = fields[0].split(separator: "-")
        guard range.count == 2, let start = Int(range[0], radix: 16), let end = Int(range[1], radix: 16), end > start else { return nil }
        return Mapping(start: start, end: end)
    }
}
