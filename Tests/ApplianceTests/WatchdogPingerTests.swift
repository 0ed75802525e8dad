@testable import Appliance
import Logging
import Synchronization
import Systemd
import Testing

/// The watchdog ping is earned by a heartbeat of every loop, not sent by a task that sleeps.
@Suite struct WatchdogPingerTests {
    final class Sent: Sendable {
        let states = Mutex<[String]>([])
        func record(_ state: NotifyState) { states.withLock { $0.append(state.assignments(monotonicMicroseconds: 0)) } }
        var count: Int { states.withLock { $0.count } }
    }

    func pinger(_ sent: Sent, unresponsive: @escaping @Sendable () -> [String]) -> WatchdogPinger {
        WatchdogPinger(timeout: .seconds(10), logger: Logger(label: "test"), heartbeat: { deadline in
            #expect(deadline == .milliseconds(2500), "half the ping interval, a quarter of WatchdogSec")
            return unresponsive()
        }, send: { sent.record($0) })
    }

    @Test func test_everyLoopAnswers_sendsWATCHDOG1() async {
        let sent = Sent()
        let pinger = pinger(sent) { [] }
        #expect(pinger.interval == .seconds(5))
        #expect(await pinger.tick(previouslyUnresponsive: []).isEmpty)
        #expect(sent.states.withLock { $0 } == ["WATCHDOG=1"])
    }

    @Test func test_aLoopNotAnswering_withholdsThePingUntilItAnswersAgain() async {
        let sent = Sent()
        let stalled = Mutex(["proxy loop 0"])
        let pinger = pinger(sent) { stalled.withLock { $0 } }
        var previous = await pinger.tick(previouslyUnresponsive: [])
        #expect(previous == ["proxy loop 0"])
        previous = await pinger.tick(previouslyUnresponsive: previous)
        #expect(sent.count == 0)
        stalled.withLock { $0 = [] }
        _ = await pinger.tick(previouslyUnresponsive: previous)
        #expect(sent.count == 1)
    }

    @Test func test_componentsHeartbeat_namesEveryLoopThatDidNotAnswer() async {
        var components = ApplianceComponents()
        components.heartbeats = [{ _ in ["vrrp VI_1"] }, { _ in [] }, { _ in ["proxy loop 1", "proxy loop 0"] }]
        #expect(await components.heartbeat(.milliseconds(10)) == ["proxy loop 0", "proxy loop 1", "vrrp VI_1"])
    }
}
