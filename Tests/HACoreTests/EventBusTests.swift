import Foundation
import HACore
import Testing

@Suite struct EventBusTests {
    @Test func test_subscriber_receivesEventsPublishedAfterSubscribing() async {
        let bus = EventBus()
        let stream = await bus.subscribe()
        await bus.publish(.proxyHealth(up: false, reason: "probe failed"))
        var iterator = stream.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event == .proxyHealth(up: false, reason: "probe failed"))
    }

    @Test func test_recent_keepsOnlyTheNewestEvents() async {
        let bus = EventBus(historyLimit: 2)
        for index in 0..<3 {
            await bus.publish(.proxyHealth(up: true, reason: "\(index)"))
        }
        #expect(await bus.recent() == [.proxyHealth(up: true, reason: "1"), .proxyHealth(up: true, reason: "2")])
    }

    @Test func test_finish_endsSubscriptions() async {
        let bus = EventBus()
        let stream = await bus.subscribe()
        await bus.finish()
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == nil)
    }
}

@Suite struct EventBusOrderTests {
    /// A DOWN posted after its UP must not overtake it: `post` from one thread keeps its order.
    @Test func test_postFromOneThread_arrivesAtASubscriberInTheOrderPosted() async {
        let bus = EventBus()
        let count = 10_000
        let stream = await bus.subscribe(bufferingNewest: count)
        let poster = Thread {
            for index in 0..<count { bus.post(.proxyHealth(up: index % 2 == 0, reason: "\(index)")) }
        }
        poster.start()
        var received: [Int] = []
        for await event in stream {
            guard case .proxyHealth(_, let reason) = event, let index = Int(reason) else { continue }
            received.append(index)
            if received.count == count { break }
        }
        #expect(received.count == count)
        let firstOutOfOrder = zip(received, 0...).first { $0.0 != $0.1 }
        #expect(firstOutOfOrder == nil, "event \(firstOutOfOrder?.1 ?? -1) arrived as \(firstOutOfOrder?.0 ?? -1)")
    }
}
