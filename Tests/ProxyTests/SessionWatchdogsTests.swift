import HACore
import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import Proxy

/// The loop's one heap of session watchdogs (`SessionWatchdogs`), through the sessions that use
/// it, on a virtual clock: each session's `timeout http-request` fires at its own deadline, not
/// before and not after, whatever the order sessions come and go in; a closed session leaves
/// the heap at once (the heap holds sessions strongly).
@Suite struct SessionWatchdogsTests {
    /// Forty clients, one every 100 ms, each sending part of a head; a scattered half of them
    /// hang up before their deadline (entries leave from the middle of the heap). Every 100 ms
    /// after, exactly the clients whose 5 s are up have their 408.
    @Test func test_eachSessionTimesOutAtItsOwnDeadline_whileOthersLeaveTheHeapInAnyOrder() throws {
        let bench = try HTTPSessionEmbeddedTests.Bench()
        let loop = bench.loop
        var channels: [EmbeddedChannel] = []
        var arrivals: [Int] = []  // in 100 ms steps
        for step in 1...40 {
            loop.advanceTime(by: .milliseconds(100))
            let channel = EmbeddedChannel(handler: HTTPSession(loop: bench.context, frontendIndex: 0), loop: loop)
            try channel.connect(to: SocketAddress(ipAddress: "198.18.0.50", port: 40000 + step)).wait()
            try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHo"))
            channels.append(channel)
            arrivals.append(step)
        }
        // The bench's own session waits too (it arrived at 0).
        #expect(bench.context.watchdogs.count == 41)

        // Every other client of the order i * 17 mod 40 (a permutation): early, late and middle
        // entries alike.
        var hungUp = Set<Int>()
        for i in channels.indices.map({ $0 * 17 % 40 }).prefix(20) {
            try channels[i].close().wait()
            hungUp.insert(i)
        }
        #expect(bench.context.watchdogs.count == 21)

        func answered(_ channel: EmbeddedChannel) throws -> Bool {
            guard let buffer = try channel.readOutbound(as: ByteBuffer.self) else { return false }
            return String(buffer: buffer).hasPrefix("HTTP/1.1 408 ")
        }
        var seen = Set<Int>()
        for now in 41...100 {  // 4.1 s to 10 s
            loop.advanceTime(by: .milliseconds(100))
            for i in channels.indices where !hungUp.contains(i) && !seen.contains(i) {
                let due = arrivals[i] + 50 <= now
                if try answered(channels[i]) {
                    #expect(due, "client \(i) (arrived at step \(arrivals[i])) answered early, at step \(now)")
                    seen.insert(i)
                } else {
                    #expect(!due, "client \(i) (arrived at step \(arrivals[i])) not answered at step \(now)")
                }
            }
        }
        #expect(seen.count == 20)
        #expect(bench.context.watchdogs.count == 0, "every session closed: none left in the heap")
        for i in hungUp { #expect(try channels[i].readOutbound(as: ByteBuffer.self) == nil, "client \(i) hung up: nothing sent") }
    }
}
