import Foundation
import Testing

/// The proxy's hot path in heap allocations (STYLE.md: allocation counters guard the hot path):
/// `scripts/bench-allocs` counts every malloc of a release hactl serving keep-alive requests
/// through itself to nginx, and the difference between two runs gives one request's cost.
@Suite(.serialized) struct ProxyAllocationTests {
    /// 5.1 when this guard was written (2 header arrays, 2 long header values, the exchange);
    /// a String per header field or a buffer per message would push it past the bound.
    static let bound = 6.0

    @Test func test_keepAliveRequest_costsAtMostSixHeapAllocations() throws {
        guard let binary = ProcessInfo.processInfo.environment["HACTL_RELEASE_BINARY"], !binary.isEmpty else {
            return print("skipped: needs HACTL_RELEASE_BINARY (scripts/test builds and sets it)")
        }
        let script = Process()
        script.executableURL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/scripts/bench-allocs")
        script.arguments = ["2000", "8000"]
        var environment = ProcessInfo.processInfo.environment
        environment["HACTL_BINARY"] = binary
        script.environment = environment
        let output = Pipe()
        script.standardOutput = output
        try script.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        script.waitUntilExit()
        #expect(script.terminationStatus == 0, "\(text)")
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("per keep-alive request: ") }, "\(text)")
        let perRequest = try #require(Double(line.dropFirst("per keep-alive request: ".count)))
        print("ProxyAllocationTests: \(perRequest) heap allocations per keep-alive request")
        #expect(perRequest <= Self.bound, "\(text)")
    }
}
