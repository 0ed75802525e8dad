/// HAProxy `hash-type consistent`: servers own points on a ring in proportion to their weight,
/// so a server going down moves only the keys it owned.
package struct ConsistentHashRing: Sendable {
    /// Keys are 32-bit (HAProxy's hash functions); a point's position is too.
    struct Point: Sendable {
        var hash: UInt32
        var server: Int
    }

    let points: [Point]

    /// Points per unit of weight.
    static let pointsPerWeight = 64

    package init(names: [String], weights: [Int]) {
        var points: [Point] = []
        for (server, name) in names.enumerated() {
            for k in 0..<(max(weights[server], 0) * Self.pointsPerWeight) {
                points.append(Point(hash: UInt32(truncatingIfNeeded: BalanceHash.hash(Array("\(name)#\(k)".utf8))), server: server))
            }
        }
        self.points = points.sorted { $0.hash < $1.hash }
    }

    /// The owner of `hash` (its low 32 bits): the first usable server clockwise from it.
    package func lookup(hash wide: UInt64, usable: (Int) -> Bool) -> Int? {
        guard !points.isEmpty else { return nil }
        let hash = UInt32(truncatingIfNeeded: wide)
        var low = 0, high = points.count
        while low < high {
            let mid = (low + high) / 2
            if points[mid].hash < hash { low = mid + 1 } else { high = mid }
        }
        for k in 0..<points.count {
            let point = points[(low + k) % points.count]
            if usable(point.server) { return point.server }
        }
        return nil
    }
}
