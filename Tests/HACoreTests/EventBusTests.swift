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
