@testable import Appliance
import Testing

@Suite struct ReloadGateTests {
    @Test func test_sighupBeforeReady_isHeldAndRunOnceAtReady() {
        let gate = ReloadGate()
        #expect(gate.deferUntilReady())
        #expect(gate.deferUntilReady())
        #expect(gate.markReady(), "the held reload runs once start-up is announced")
        #expect(!gate.deferUntilReady(), "after READY a SIGHUP reloads at once")
    }

    @Test func test_readyWithoutAHeldReload_runsNothing() {
        let gate = ReloadGate()
        #expect(!gate.markReady())
    }
}
